// Every mapping memshield's host makes during the soak: how many are live now, how many were
// made, and whether the kernel still showed any part of one right after memshield unmapped it.
//
// The check runs at unmap time, on /proc/self/maps (fast to produce), not at the end of the run:
// once memshield has given a range back, V8 and malloc may map the same addresses again, and a
// later look would blame memshield for their mappings (a fresh clone's soak failed that way while
// a second suite ran beside it).
import { readFileSync } from 'node:fs';

/** The /proc/self/maps lines overlapping [start, end). */
function mappedWithin(start, end) {
  const lines = [];
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+)/.exec(line);
    if (range && BigInt(`0x${range[1]}`) < end && BigInt(`0x${range[2]}`) > start) lines.push(line.trim());
  }
  return lines;
}

/**
 * Wraps a host's map and unmap; `calls` go into the soak's host object. With `skipOneUnmap`
 * (the soak's 'unmap-skipped' control) the first unmap after start() answers 0 without unmapping.
 */
export function mappingLedger(native, { skipOneUnmap = false } = {}) {
  const sizes = new Map(); // live id → length
  let recording = false;
  let made = 0;
  let leftBehind = []; // maps lines still overlapping a range memshield had just unmapped
  return {
    calls: {
      map(length, alignment, protection, flags) {
        const id = native.map(length, alignment, protection, flags);
        if (id >= 0) {
          sizes.set(id, length);
          if (recording) made++;
        }
        return id;
      },
      unmap(id) {
        const start = sizes.has(id) ? native.address(id) : undefined;
        const length = sizes.get(id);
        const skip = recording && skipOneUnmap && start !== undefined;
        if (skip) skipOneUnmap = false;
        const result = skip ? 0 : native.unmap(id);
        if (result === 0) {
          sizes.delete(id);
          if (recording && start !== undefined) leftBehind.push(...mappedWithin(start, start + BigInt(length)));
        }
        return result;
      },
    },
    /** Starts recording (after the warm-up). */
    start() {
      recording = true;
      made = 0;
      leftBehind = [];
    },
    /** Mappings of the host still live. */
    live: () => sizes.size,
    /** Mappings made since start(). */
    made: () => made,
    /** What the kernel still showed right after an unmap since start(), as /proc/self/maps lines. */
    leftBehind: () => leftBehind,
    /** What the kernel shows of the mappings memshield still holds, as /proc/self/maps lines. */
    stillHeld: () =>
      [...sizes].flatMap(([id, length]) => {
        const start = native.address(id);
        return mappedWithin(start, start + BigInt(length));
      }),
  };
}
