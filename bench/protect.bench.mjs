// Protection changes on the data page of a Secure 32-byte region (guarded, locked).
/** @typedef {import('./lib/cases.mjs').TimedCase} TimedCase */

/** A Secure 32-byte region, read-only, and a sodium_malloc(32) buffer beside it. */
function secureRegion(env) {
  const {
    memory,
    memshield: { MemoryProtectionLevel: L, AllocationType: T },
  } = env;
  const region = memory.allocate(32, 8, L.ReadWrite, T.Secure);
  memory.protect(region, L.ReadOnly);
  return { env, region, L, buffer: env.sodium?.sodium_malloc(32) };
}

function release({ env, region, buffer }) {
  env.memory.free(region);
  if (buffer) {
    env.sodium.sodium_mprotect_readwrite(buffer);
    env.sodium.sodium_free(buffer);
  }
}

/** @type {{ order: number, cases: TimedCase[] }} */
export default {
  order: 20,
  cases: [
    {
      id: 'protect-toggle',
      title: 'protect NoAccess↔ReadOnly',
      floor: { name: 'protect-toggle', bytes: 32 },
      setup: secureRegion,
      memshield({ env: { memory }, region, L }, iterations) {
        for (let i = 0; i < iterations; i++) {
          memory.protect(region, L.NoAccess);
          memory.protect(region, L.ReadOnly);
        }
      },
      sodium({ env: { sodium }, buffer }, iterations) {
        for (let i = 0; i < iterations; i++) {
          sodium.sodium_mprotect_noaccess(buffer);
          sodium.sodium_mprotect_readonly(buffer);
        }
      },
      teardown: release,
      targets: { floor: 1.15, sodium: 1.05 }, // issue 14
    },
    {
      id: 'protect-same-level',
      title: 'protect to the current level',
      floor: null, // the floor is doing nothing; the target is no system call at all
      setup: secureRegion,
      memshield({ env: { memory }, region, L }, iterations) {
        for (let i = 0; i < iterations; i++) memory.protect(region, L.ReadOnly);
      },
      sodium: null,
      teardown: release,
      targets: { syscalls: 0 },
    },
  ],
};
