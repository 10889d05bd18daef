// Random bytes from the kernel on POSIX systems, through koffi: Linux getrandom(2) (glibc >= 2.25),
// flags 0 (the urandom pool, which blocks only until it is first seeded at boot); macOS
// getentropy(2) (libSystem, macOS 10.12+), at most 256 bytes per call. koffi hands the kernel the
// array's memory natively: no JS getter of the array is called, and the bytes never pass through
// a function a caller could have replaced (crypto.getRandomValues reads `byteLength` through the
// prototype as it is at call time).
import type { Libc } from './posix.js';
import { fillInParts } from './random-parts.js';

const EINTR = 4;
const EIO = 5;
/** The largest request getrandom answers in one go from the urandom pool (33554431 bytes). */
const GETRANDOM_MAX = 33_554_431;
/** getentropy refuses more than 256 bytes per call (EIO). */
const GETENTROPY_MAX = 256;

/** A libc answer as a draw's: the bytes filled, 0 to ask again after a signal (EINTR), or -errno. */
function drawResult(c: Libc, filled: number): number {
  if (filled >= 0) return filled;
  const errno = c.koffi.errno();
  return errno === EINTR ? 0 : -(errno || EIO); // never report success for a failure
}

/** Linux: fills a Uint8Array with getrandom(buf, len, 0); 0, or the errno of the failed call. */
export function bindGetrandom(c: Libc): (target: Uint8Array) => number {
  const getrandom = c.libc.func('intptr_t getrandom(void *buf, size_t buflen, unsigned int flags)');
  const draw = (part: Uint8Array, length: number) => drawResult(c, getrandom(part, length, 0) as number);
  return (target) => fillInParts(target, GETRANDOM_MAX, draw, EINTR);
}

/** macOS: fills a Uint8Array with getentropy(buf, len ≤ 256); 0, or the errno of the failed call. */
export function bindGetentropy(c: Libc): (target: Uint8Array) => number {
  const getentropy = c.libc.func('int getentropy(void *buf, size_t buflen)');
  const draw = (part: Uint8Array, length: number) => drawResult(c, getentropy(part, length) === 0 ? length : -1);
  return (target) => fillInParts(target, GETENTROPY_MAX, draw, EINTR);
}
