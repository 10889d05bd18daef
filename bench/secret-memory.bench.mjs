// Secret memory (memfd_secret): what it costs to allocate and free a Secure region and a
// SecureBuffer in it, beside the same rows in ordinary locked pages (allocate.bench.mjs,
// secure-buffer.bench.mjs) and its own C floor (floor.c secret-alloc-free: mmap NoAccess, then
// memfd_secret + ftruncate + mmap MAP_SHARED|MAP_FIXED over the data pages + close, canary,
// madvise×2, no mlock; free: canary check, explicit_bzero, munmap). Each first touch of a secret
// page also takes it out of the kernel's direct map (a TLB flush), which the floor pays too.
/** @typedef {import('./lib/cases.mjs').TimedCase} TimedCase */

const SIZE = 32;

/** Skips where memfd_secret does not work (the doctor says why). */
function skip(env) {
  return env.host.capabilities().secretMemory ? undefined : 'memfd_secret is not available on this machine';
}

/** As in allocate.bench.mjs: sodium_free unmaps only after a garbage collection. */
async function sodiumAllocateFree(env, iterations) {
  for (let i = 0; i < iterations; i++) env.sodium.sodium_free(env.sodium.sodium_malloc(SIZE));
  await env.collectGarbage();
}

/** @type {{ order: number, cases: TimedCase[] }} */
export default {
  order: 11,
  cases: [
    {
      id: 'secure-allocate-free-32-secret-memory',
      title: 'Secure allocate+free, 32 B, secret memory',
      floor: { name: 'secret-alloc-free', bytes: SIZE },
      skip,
      setup: (env) => env,
      memshield(env, iterations) {
        const {
          memory,
          memshield: { MemoryProtectionLevel: L, AllocationType: T },
        } = env;
        for (let i = 0; i < iterations; i++)
          memory.free(memory.allocate(SIZE, 8, L.ReadWrite, T.Secure, { secretMemory: 'required' }));
      },
      sodium: sodiumAllocateFree,
      batch: { sodium: 1000 },
      note: 'sodium-native has no secret memory: its column is the same sodium_malloc as the row without it',
    },
    {
      id: 'secure-buffer-alloc-dispose-32-secret-memory',
      title: 'SecureBuffer.alloc+dispose, 32 B, secret memory (the default)',
      floor: { name: 'secret-buffer-alloc-free', bytes: SIZE },
      skip,
      setup: (env) => ({ env, host: env.host }),
      memshield(
        {
          env: {
            memshield: { SecureBuffer },
          },
          host,
        },
        iterations,
      ) {
        for (let i = 0; i < iterations; i++) SecureBuffer.alloc(SIZE, { host, secretMemory: 'required' }).dispose();
      },
      async sodium({ env }, iterations) {
        await sodiumAllocateFree(env, iterations);
      },
      batch: { sodium: 1000 },
    },
  ],
};
