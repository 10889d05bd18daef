// Canary bytes: the slack around the data inside the data pages holds a per-process random
// pattern. It is written at allocation and compared at free, so a small overflow or underflow
// that stays inside the data pages (and so misses the guard pages) is still detected.
//
//  pattern ─► ┌──────────── CHUNK + CANARY_SIZE bytes ─────────────┐
//             │ c0 c1 … c15 │ c0 c1 … c15 │ … │ c0 … c15           │
//             └─────────────────────────────────────────────────────┘
//  The byte at mapping offset p is c[p & CANARY_MASK]: a chunk for offset p is copied from
//  pattern + (p & CANARY_MASK), so the pattern lines up wherever a chunk starts.
//  scratch ─► ┌──────────── CHUNK bytes ────────┐  mapping bytes read back for comparison
import { hostCoreIn, hostCoreOut, hostRandomBytes } from './host';

const CANARY_BITS: usize = 4;
const CANARY_SIZE: usize = 1 << CANARY_BITS;
const CANARY_MASK: usize = CANARY_SIZE - 1;
const CHUNK_BITS: usize = 12;
const CHUNK: usize = 1 << CHUNK_BITS; // bytes moved per host call

let pattern: usize = 0;

/** initCanary's answer for a draw that came back all zero (0 is no OS error number). */
export const NO_RANDOM_BYTES: i32 = -1;
let scratch: usize = 0;

/**
 * Draws the canary from the host's random source. Called once, at init. Returns 0, the host's
 * error number, or NO_RANDOM_BYTES when the host reported success but left all 16 bytes zero
 * (a source that filled nothing: a guessable canary is refused, never used).
 */
export function initCanary(): i32 {
  pattern = heap.alloc(CHUNK + CANARY_SIZE);
  scratch = heap.alloc(CHUNK);
  memory.fill(pattern, 0, CANARY_SIZE); // what a source that wrote nothing leaves
  const error = hostRandomBytes(pattern, <i32>CANARY_SIZE);
  if (error != 0) return error;
  if (load<u64>(pattern) == 0 && load<u64>(pattern + 8) == 0) return NO_RANDOM_BYTES;
  for (let i: usize = CANARY_SIZE; i < CHUNK + CANARY_SIZE; i++) {
    store<u8>(pattern + i, load<u8>(pattern + (i & CANARY_MASK)));
  }
  return 0;
}

/** The pattern: the canary byte for mapping offset p is at canaryPattern() + (p & 15). */
export function canaryPattern(): usize {
  return pattern;
}

/** Writes canary bytes over [offset, offset + length). Returns 0 or the host's error. */
export function writeCanary(id: i32, offset: u64, length: u64): i32 {
  while (length > 0) {
    const step = length < <u64>CHUNK ? length : <u64>CHUNK;
    const error = hostCoreIn(id, <f64>offset, <f64>step, pattern + (<usize>offset & CANARY_MASK));
    if (error != 0) return error;
    offset += step;
    length -= step;
  }
  return 0;
}

// The result of the last checkCanary: 0 when intact, else the host's error number.
export let canaryHostError: i32 = 0;

/** True if [offset, offset + length) still holds the canary. Sets canaryHostError. */
export function checkCanary(id: i32, offset: u64, length: u64): bool {
  canaryHostError = 0;
  let intact = true;
  while (length > 0) {
    const step = length < <u64>CHUNK ? length : <u64>CHUNK;
    const error = hostCoreOut(id, <f64>offset, <f64>step, scratch);
    if (error != 0) {
      canaryHostError = error;
      return false;
    }
    // Compare every byte (no early exit): timing says nothing about where damage is.
    // Eight bytes at a time: a page of slack is checked at every free.
    const expected = pattern + (<usize>offset & CANARY_MASK);
    let difference: u64 = 0;
    let i: usize = 0;
    for (; i + 8 <= <usize>step; i += 8) difference |= load<u64>(scratch + i) ^ load<u64>(expected + i);
    for (; i < <usize>step; i++) difference |= <u64>(load<u8>(scratch + i) ^ load<u8>(expected + i));
    if (difference != 0) intact = false;
    offset += step;
    length -= step;
  }
  memory.fill(scratch, 0, CHUNK); // leave nothing read from a region in core memory
  return intact;
}
