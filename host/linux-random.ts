// Random bytes from the Linux kernel: getrandom(2) through koffi (glibc >= 2.25), flags 0 (the
// urandom pool, which blocks only until it is first seeded at boot). koffi hands the kernel
// the array's memory natively: no JS getter of the array is called, and the bytes never pass
// through a function a caller could have replaced (crypto.getRandomValues reads `byteLength`
// through the prototype as it is at call time).
import type { Libc } from './posix.js';
import { fillInParts } from './random-parts.js';

const EINTR = 4;
const EIO = 5;
/** The largest request getrandom answers in one go from the urandom pool (33554431 bytes). */
const GETRANDOM_MAX = 33_554_431;

/** Fills a Uint8Array with getrandom(buf, len, 0): 0, or the errno of the failed call. */
export function bindGetrandom(c: Libc): (target: Uint8Array) => number {
  const getrandom = c.libc.func('intptr_t getrandom(void *buf, size_t buflen, unsigned int flags)');
  const { koffi } = c;
  const draw = (part: Uint8Array, length: number): number => {
    const filled = getrandom(part, length, 0) as number;
    if (filled >= 0) return filled;
    const errno = koffi.errno();
    return errno === EINTR ? 0 : -(errno || EIO); // a signal: ask again; never report success for a failure
  };
  return (target) => fillInParts(target, GETRANDOM_MAX, draw, EINTR);
}
