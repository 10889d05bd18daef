// Wiping: secureClear of a 1 MiB Secure region (read-write, so no protection change).
/** @typedef {import('./lib/cases.mjs').TimedCase} TimedCase */

const SIZE = 1024 * 1024;

/** @type {{ order: number, cases: TimedCase[] }} */
export default {
  order: 50,
  cases: [
    {
      id: 'secure-clear-1m',
      title: 'secureClear, 1 MiB',
      floor: { name: 'clear', bytes: SIZE },
      bytes: SIZE,
      setup(env) {
        const {
          memory,
          memshield: { MemoryProtectionLevel: L, AllocationType: T },
        } = env;
        return {
          env,
          region: memory.allocate(SIZE, 8, L.ReadWrite, T.Secure),
          buffer: env.sodium?.sodium_malloc(SIZE),
        };
      },
      memshield({ env: { memory }, region }, iterations) {
        for (let i = 0; i < iterations; i++) memory.secureClear(region);
      },
      sodium({ env: { sodium }, buffer }, iterations) {
        for (let i = 0; i < iterations; i++) sodium.sodium_memzero(buffer);
      },
      teardown({ env, region, buffer }) {
        env.memory.free(region);
        if (buffer) env.sodium.sodium_free(buffer);
      },
      targets: { floor: 1.2 },
    },
  ],
};
