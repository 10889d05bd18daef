// Random bytes from macOS: getentropy(2) through koffi (libSystem, macOS 10.12+), at most 256
// bytes per call. koffi hands the kernel the array's memory natively: no JS getter of the array
// is called, and the bytes never pass through a function a caller could have replaced.
import type { Libc } from './posix.js';
import { fillInParts } from './random-parts.js';

const EINTR = 4;
const EIO = 5;
/** getentropy refuses more than 256 bytes per call (EIO). */
const GETENTROPY_MAX = 256;

/** Fills a Uint8Array with getentropy: 0, or the errno of the failed call. */
export function bindGetentropy(c: Libc): (target: Uint8Array) => number {
  const getentropy = c.libc.func('int getentropy(void *buf, size_t buflen)');
  const { koffi } = c;
  const draw = (part: Uint8Array, length: number): number => {
    if (getentropy(part, length) === 0) return length;
    const errno = koffi.errno();
    return errno === EINTR ? 0 : -(errno || EIO);
  };
  return (target) => fillInParts(target, GETENTROPY_MAX, draw, EINTR);
}
