// The random fill loop (host/random-parts.ts) and the Linux source over it (host/posix-random.ts):
// short draws are asked again for the rest, a signal (EINTR) is retried but not forever, an error
// is returned as it is; getrandom through koffi fills a whole array without calling a getter of it.
import { describe, expect, it } from 'vitest';
import { LINUX_CONSTANTS } from '../../host/linux.js';
import { bindLibc } from '../../host/posix.js';
import { bindGetrandom } from '../../host/posix-random.js';
import { fillInParts } from '../../host/random-parts.js';

const EINTR = 4;

describe('fillInParts', () => {
  it('asks again for what a short draw left, in parts of at most the step, until the array is full', () => {
    const asked: number[] = [];
    const target = new Uint8Array(100);
    const result = fillInParts(
      target,
      40,
      (part, length) => {
        asked.push(length);
        const filled = Math.min(length, 30); // every draw comes back short
        part.fill(asked.length, 0, filled);
        return filled;
      },
      EINTR,
    );
    expect(result).toBe(0);
    expect(asked).toEqual([40, 40, 40, 10]);
    expect(target.indexOf(0)).toBe(-1);
    expect(Array.from(target.subarray(28, 32))).toEqual([1, 1, 2, 2]); // each part starts where the last ended
  });

  it('retries an empty draw (EINTR), and gives up with EINTR after 64 in a row (control: 63 then a fill works)', () => {
    let calls = 0;
    const emptyThenFill = (empties: number) => (part: Uint8Array, length: number) => {
      if (calls++ < empties) return 0;
      part.fill(1);
      return length;
    };
    expect(fillInParts(new Uint8Array(8), 8, emptyThenFill(63), EINTR)).toBe(0);
    calls = 0;
    expect(fillInParts(new Uint8Array(8), 8, emptyThenFill(1000), EINTR)).toBe(EINTR);
    expect(calls).toBe(64);
  });

  it('returns the error of a failed draw and draws no more', () => {
    let calls = 0;
    expect(fillInParts(new Uint8Array(64), 16, () => (++calls === 2 ? -5 : 16), EINTR)).toBe(5);
    expect(calls).toBe(2);
  });
});

describe.runIf(process.platform === 'linux')('getrandom through koffi', () => {
  it(
    'fills a whole 1 MiB array, and a view into the middle of one, without calling a TypedArray getter ' +
      '(control: the getter fires for an ordinary read)',
    () => {
      const fill = bindGetrandom(bindLibc(LINUX_CONSTANTS));
      const prototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
      const original = Object.getOwnPropertyDescriptor(prototype, 'byteLength')!;
      let calls = 0;
      Object.defineProperty(prototype, 'byteLength', {
        configurable: true,
        get() {
          calls++;
          return original.get!.call(this);
        },
      });
      const big = new Uint8Array(1 << 20);
      const outer = new Uint8Array(64);
      const middle = new Uint8Array(outer.buffer, 16, 32);
      let results: number[];
      try {
        results = [fill(big), fill(middle)];
        expect(calls).toBe(0);
        void big.byteLength;
        expect(calls).toBe(1);
      } finally {
        Object.defineProperty(prototype, 'byteLength', original);
      }
      expect(results).toEqual([0, 0]);
      // 4 KiB blocks of random bytes are never all zero; the bytes around the view stay untouched.
      for (let i = 0; i < big.length; i += 4096)
        expect(big.subarray(i, i + 4096).some((byte) => byte !== 0)).toBe(true);
      expect(outer.subarray(0, 16).every((byte) => byte === 0)).toBe(true);
      expect(outer.subarray(48).every((byte) => byte === 0)).toBe(true);
      expect(middle.some((byte) => byte !== 0)).toBe(true);
    },
  );
});
