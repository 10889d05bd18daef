// The loop every OS random source needs: a call fills at most part of the target (getrandom may
// return short, getentropy takes at most 256 bytes), so the rest is asked for again. The parts
// are views made over the target's memory as the captured intrinsics read it: no property of
// the target is looked up, and only native code (koffi) ever sees a part.
import { byteSpanOf } from '../shared/intrinsics.js';

const NativeUint8Array = Uint8Array;
/** Calls in a row that may fill nothing (EINTR) before the fill gives up with that error. */
const MAX_EMPTY_DRAWS = 64;

/**
 * One OS call on `part` (`length` bytes, at most the source's step): the bytes it filled (> 0),
 * 0 when it filled nothing and may be called again (EINTR), or the negated OS error number.
 */
export type Draw = (part: Uint8Array, length: number) => number;

/**
 * Fills all of `target` by repeated draws of at most `step` bytes. Returns 0, or the OS error
 * number of the draw that failed (`interrupted` after MAX_EMPTY_DRAWS empty draws in a row).
 */
export function fillInParts(target: Uint8Array, step: number, draw: Draw, interrupted: number): number {
  const span = byteSpanOf(target);
  let filled = 0;
  let empty = 0;
  while (filled < span.byteLength) {
    const left = span.byteLength - filled;
    const length = left < step ? left : step;
    const result = draw(new NativeUint8Array(span.buffer, span.byteOffset + filled, length), length);
    if (result < 0) return -result;
    if (result === 0 && ++empty >= MAX_EMPTY_DRAWS) return interrupted;
    if (result > 0) empty = 0;
    filled += result;
  }
  return 0;
}
