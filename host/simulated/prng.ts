// The simulated host's random source: SplitMix64 (Steele, Lea, Flood, "Fast splittable
// pseudorandom number generators", OOPSLA 2014), the generator Java's SplittableRandom uses and
// the one that seeds xoshiro. All arithmetic is on BigInt masked to 64 bits, so every runtime
// produces the same bytes for the same seed.
//
//  state ─► state + GOLDEN_GAMMA ─► z
//  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
//  z = (z ^ (z >> 27)) * 0x94d049bb133111eb
//  output = z ^ (z >> 31)           (64 bits, handed out as 8 bytes, least significant first)
//
// Not cryptographic, on purpose: the simulated host is for tests, where the same seed must give
// the same canary bytes and traces.

const MASK_64 = (1n << 64n) - 1n;
const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;

/** A SplitMix64 stream. */
export interface SplitMix64 {
  /** The next 64-bit output. */
  next(): bigint;
  /** Fills `target` with the next outputs, 8 bytes each, least significant byte first. */
  fill(target: Uint8Array): void;
}

/** Creates a stream from a seed (any integer; taken modulo 2^64). */
export function splitMix64(seed: bigint): SplitMix64 {
  let state = BigInt.asUintN(64, seed);
  let spare = 0n; // bytes of the last output not handed out yet
  let spareCount = 0;

  function next(): bigint {
    state = (state + GOLDEN_GAMMA) & MASK_64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
    return z ^ (z >> 31n);
  }

  return {
    next,
    fill(target) {
      for (let i = 0; i < target.length; i++) {
        if (spareCount === 0) {
          spare = next();
          spareCount = 8;
        }
        target[i] = Number(spare & 0xffn);
        spare >>= 8n;
        spareCount--;
      }
    },
  };
}
