// How options are read: own data properties, once, into a record without a prototype. A getter
// is refused without being called; a Proxy's traps run once, and one that throws (or a revoked
// Proxy) is INVALID_ARGUMENT, not its own error. Controls: the getter does run on an ordinary
// read, and the Proxy's traps do throw when asked.
import { afterAll, describe, expect, it } from 'vitest';
import { NO_OPTIONS, readOptions } from '../../shared/options.js';
import { SecureBuffer, SecureHeap, configureExitWipe, hardenProcess } from '../../src/index.js';
import { errorOf } from '../helpers/errors.js';
import { vmLockedBytes } from '../helpers/kernel.js';

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

// The options are read before the bytes are checked: a Proxy's trap is caller code, and if it ran
// between the check of `bytes` and their copy it could detach their buffer under the copy (before
// this order: a TypeError out of the Wasm core, and the half-made secret's locked page left behind).
describe('an options Proxy that detaches the bytes cannot act between their check and their copy', () => {
  const heap = new SecureHeap({ arenaSize: 16 * 1024 });
  afterAll(() => heap.destroy());

  /** Options whose ownKeys trap transfers `bytes`' buffer away (detaching it), counting its runs. */
  function detachingOptions(bytes: Uint8Array) {
    const runs = { count: 0 };
    const options = new Proxy(
      {},
      {
        ownKeys: () => {
          runs.count++;
          structuredClone(bytes.buffer, { transfer: [bytes.buffer as ArrayBuffer] });
          return [];
        },
      },
    );
    return { options, runs };
  }

  it('control: the trap runs and really detaches the buffer', () => {
    const bytes = new Uint8Array(64).fill(7);
    const { options, runs } = detachingOptions(bytes);
    Reflect.ownKeys(options);
    expect(runs.count).toBe(1);
    expect(bytes.byteLength).toBe(0);
  });

  for (const [name, from] of [
    ['SecureBuffer.from', (bytes: Uint8Array, options: object) => SecureBuffer.from(bytes, options)],
    ['heap.from', (bytes: Uint8Array, options: object) => heap.from(bytes, options)],
  ] as const) {
    it(`${name}: the detached bytes are refused as empty (INVALID_ARGUMENT) 100 times; nothing stays locked`, () => {
      const before = vmLockedBytes();
      for (let i = 0; i < 100; i++) {
        const bytes = new Uint8Array(4096).fill(7);
        const { options, runs } = detachingOptions(bytes);
        const error = errorOf(() => from(bytes, options));
        expect(runs.count).toBe(1);
        expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/detached/) });
      }
      expect(vmLockedBytes()).toBe(before);
    });
  }
});
