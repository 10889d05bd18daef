// Every mapping memshield's host makes during the soak: how many are live now, and whether an
// address range the kernel still shows was ever one of them (ranges kept sorted by start).

/** Wraps a host's map and unmap; `calls` go into the soak's host object. */
export function mappingLedger(native) {
  const sizes = new Map(); // live id → length
  let recording = false;
  let ranges = []; // [start, end] as numbers (user addresses stay below 2^47: exact)
  let sorted = true;
  let made = 0;
  return {
    calls: {
      map(length, alignment, protection, flags) {
        const id = native.map(length, alignment, protection, flags);
        if (id >= 0) {
          sizes.set(id, length);
          if (recording) {
            const start = Number(native.address(id));
            if (ranges.length > 0 && start < ranges.at(-1)[0]) sorted = false;
            ranges.push([start, start + length]);
            made++;
          }
        }
        return id;
      },
      unmap(id) {
        const result = native.unmap(id);
        if (result === 0) sizes.delete(id);
        return result;
      },
    },
    /** Starts recording ranges (after the warm-up). */
    start() {
      recording = true;
      ranges = [];
      made = 0;
    },
    /** Mappings of the host still live. */
    live: () => sizes.size,
    /** Mappings made since start(). */
    made: () => made,
    /** Whether [start, end) overlaps a range memshield mapped since start(). */
    everMapped(start, end) {
      if (!sorted) {
        ranges.sort((a, b) => a[0] - b[0]);
        sorted = true;
      }
      const low = Number(start);
      const high = Number(end);
      // The last range starting before `high`, and those before it that may still reach past `low`.
      let lo = 0;
      let hi = ranges.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ranges[mid][0] < high) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo - 1; i >= 0; i--) {
        if (ranges[i][1] > low) return true;
        if (high - ranges[i][0] > 2 ** 31) break; // no mapping is that long: nothing further back can reach
      }
      return false;
    },
  };
}
