// The soak's random source: mulberry32 (a 32-bit generator, fast in plain JavaScript numbers).
// Not cryptographic: it only has to repeat the same run for the same seed.

/** A seeded stream with the draws the soak needs. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below) => Math.floor(next() * below);
  return {
    /** An integer in [0, below). */
    int,
    /** An integer in [low, high]. */
    between: (low, high) => low + int(high - low + 1),
    /** One element of `items`. */
    pick: (items) => items[int(items.length)],
    /** True with probability p. */
    chance: (p) => next() < p,
    /** `length` random bytes. */
    bytes(length) {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = int(256);
      return out;
    },
    /** An index into `weights` drawn in proportion to them. */
    weighted(weights, total) {
      let draw = next() * total;
      for (let i = 0; i < weights.length; i++) {
        draw -= weights[i];
        if (draw < 0) return i;
      }
      return weights.length - 1;
    },
  };
}
