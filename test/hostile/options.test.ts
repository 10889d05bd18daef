// How options are read: own data properties, once, into a record without a prototype. A getter
// is refused without being called; a Proxy's traps run once, and one that throws (or a revoked
// Proxy) is INVALID_ARGUMENT, not its own error. Controls: the getter does run on an ordinary
// read, and the Proxy's traps do throw when asked.
import { describe, expect, it } from 'vitest';
import { NO_OPTIONS, readOptions } from '../../shared/options.js';
import { SecureBuffer, SecureHeap, configureExitWipe, hardenProcess } from '../../src/index.js';
import { errorOf } from '../helpers/errors.js';

describe('readOptions', () => {
  it('an omitted options object is a frozen record with no prototype', () => {
    expect(readOptions(undefined, 'options', ['lock'])).toBe(NO_OPTIONS);
    expect(Object.getPrototypeOf(NO_OPTIONS)).toBe(null);
    expect(Object.isFrozen(NO_OPTIONS)).toBe(true);
  });

  it('keeps own data properties, also non-enumerable ones and those of a null-prototype object, once', () => {
    const plain = Object.defineProperty({ lock: 'bestEffort' }, 'secretMemory', { value: 'off', enumerable: false });
    const record = readOptions<{ lock: string; secretMemory: string }>(plain, 'options', ['lock', 'secretMemory']);
    expect({ ...record }).toEqual({ lock: 'bestEffort', secretMemory: 'off' });
    expect(Object.getPrototypeOf(record)).toBe(null);
    const bare = Object.assign(Object.create(null), { lock: 'required' });
    expect(readOptions(bare, 'options', ['lock']).lock).toBe('required');
    let reads = 0;
    const counted = new Proxy(
      { lock: 'bestEffort' },
      {
        getOwnPropertyDescriptor: (target, key) => {
          reads++;
          return Reflect.getOwnPropertyDescriptor(target, key);
        },
      },
    );
    readOptions(counted, 'options', ['lock']);
    expect(reads).toBe(1);
  });

  it('refuses a getter without calling it (control: an ordinary read calls it)', () => {
    let calls = 0;
    const options = {
      get lock() {
        calls++;
        return 'bestEffort';
      },
    };
    expect(options.lock).toBe('bestEffort');
    expect(calls).toBe(1);
    for (const call of [
      () => SecureBuffer.alloc(16, options as never),
      () => new SecureHeap(options as never),
      () =>
        configureExitWipe({
          get exit() {
            calls++;
            return true;
          },
        }),
    ]) {
      const error = errorOf(call);
      expect(error?.code).toBe('INVALID_ARGUMENT');
      expect(error?.message).toMatch(/is a getter or setter/);
    }
    expect(calls).toBe(1);
  });

  it(
    'refuses Proxies whose traps throw, revoked Proxies, symbol keys ' +
      'and arrays with INVALID_ARGUMENT (control: the traps do throw)',
    () => {
      const throwing = new Proxy(
        {},
        {
          ownKeys() {
            throw new RangeError('ownKeys trap');
          },
        },
      );
      expect(() => Reflect.ownKeys(throwing)).toThrow(RangeError);
      const descriptorThrows = new Proxy(
        { lock: 'required' },
        {
          getOwnPropertyDescriptor() {
            throw new RangeError('descriptor trap');
          },
        },
      );
      const { proxy: revoked, revoke } = Proxy.revocable({}, {});
      revoke();
      expect(() => Reflect.ownKeys(revoked)).toThrow(TypeError);
      const cases: [unknown, RegExp][] = [
        [throwing, /listing its keys threw/],
        [descriptorThrows, /options.lock could not be read|unknown key/],
        [revoked, /is a revoked Proxy/],
        [{ [Symbol('lock')]: 'bestEffort' }, /has a symbol key/],
        [[], /got an array/],
        ['bestEffort', /got a string of 10 characters/],
      ];
      for (const [options, message] of cases) {
        for (const call of [
          () => SecureBuffer.alloc(16, options as never),
          () => new SecureHeap(options as never),
          () => hardenProcess(options as never),
        ]) {
          const error = errorOf(call);
          expect(error?.code).toBe('INVALID_ARGUMENT');
          expect(error?.message).toMatch(message);
        }
      }
    },
  );
});
