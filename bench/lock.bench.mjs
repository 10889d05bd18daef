// Locking: mlock + munlock of a 64 KiB Regular region (unlocked at rest).
/** @typedef {import('./lib/cases.mjs').TimedCase} TimedCase */

const SIZE = 64 * 1024;

/** @type {{ order: number, cases: TimedCase[] }} */
export default {
  order: 30,
  cases: [
    {
      id: 'lock-unlock-64k',
      title: 'lock+unlock, 64 KiB',
      floor: { name: 'lock-unlock', bytes: SIZE },
      setup(env) {
        const {
          memory,
          memshield: { MemoryProtectionLevel: L, AllocationType: T },
        } = env;
        // sodium_mlock takes any buffer; a plain Buffer is what callers hand it.
        return { env, region: memory.allocate(SIZE, 8, L.ReadWrite, T.Regular), buffer: Buffer.alloc(SIZE) };
      },
      memshield({ env: { memory }, region }, iterations) {
        for (let i = 0; i < iterations; i++) {
          memory.lock(region);
          memory.unlock(region);
        }
      },
      // sodium_mlock also advises MADV_DONTDUMP; sodium_munlock wipes the buffer and advises
      // MADV_DODUMP before munlock: that is its operation, so it is timed as it is.
      sodium({ env: { sodium }, buffer }, iterations) {
        for (let i = 0; i < iterations; i++) {
          sodium.sodium_mlock(buffer);
          sodium.sodium_munlock(buffer);
        }
      },
      teardown: ({ env, region }) => env.memory.free(region),
    },
  ],
};
