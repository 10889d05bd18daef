// Allocation: a region mapped and freed in one go, for each allocation type.
/** @typedef {import('./lib/cases.mjs').TimedCase} TimedCase */

const HUGE = 2 * 1024 * 1024;

/** @type {{ order: number, cases: TimedCase[] }} */
export default {
  order: 10,
  cases: [
    {
      id: 'secure-allocate-free-32',
      title: 'Secure allocate+free, 32 B',
      // Floor: mmap(NoAccess) + mprotect + canary + madvise×2 + mlock / canary check + wipe + munmap.
      floor: { name: 'secure-alloc-free', bytes: 32 },
      setup: (env) => env,
      memshield(env, iterations) {
        const {
          memory,
          memshield: { MemoryProtectionLevel: L, AllocationType: T },
        } = env;
        for (let i = 0; i < iterations; i++) memory.free(memory.allocate(32, 8, L.ReadWrite, T.Secure));
      },
      // sodium_free only detaches the buffer; the unmap waits for the garbage collector (its
      // finalizers run from the event loop), so each batch ends with a full GC and a turn of the
      // loop, and both sides have really given the memory back.
      async sodium(env, iterations) {
        for (let i = 0; i < iterations; i++) env.sodium.sodium_free(env.sodium.sodium_malloc(32));
        await env.collectGarbage();
      },
      // The GC's cost is spread over 1000 allocations; each sodium buffer holds 4 mappings until
      // then, so that is also well below vm.max_map_count.
      batch: { sodium: 1000 },
      targets: { floor: 1.2, sodium: 1 / 3 }, // issue 14: 1.2× the floor (was 1.3)
    },
    {
      id: 'regular-allocate-free-32',
      title: 'Regular allocate+free, 32 B',
      floor: { name: 'regular-alloc-free', bytes: 32 },
      setup: (env) => env,
      memshield(env, iterations) {
        const {
          memory,
          memshield: { MemoryProtectionLevel: L, AllocationType: T },
        } = env;
        for (let i = 0; i < iterations; i++) memory.free(memory.allocate(32, 8, L.ReadWrite, T.Regular));
      },
      sodium: null,
    },
    {
      id: 'largepage-allocate-free-2m',
      title: 'LargePage allocate+free, 2 MiB',
      // The floor mirrors the transparent-huge-page path (over-map, trim, MADV_HUGEPAGE); where
      // explicit huge pages are reserved memshield maps those instead and the floor does not apply.
      floor: { name: 'largepage-alloc-free', bytes: HUGE },
      skip(env) {
        const capabilities = env.host.capabilities();
        if (capabilities.explicitHugePages)
          return 'explicit huge pages are reserved here; the floor mirrors transparent huge pages only';
        if (!capabilities.transparentHugePages) return 'transparent huge pages are off (THP mode never)';
        return undefined;
      },
      setup: (env) => env,
      memshield(env, iterations) {
        const {
          memory,
          memshield: { MemoryProtectionLevel: L, AllocationType: T },
        } = env;
        for (let i = 0; i < iterations; i++) memory.free(memory.allocate(HUGE, 8, L.ReadWrite, T.LargePage));
      },
      sodium: null,
    },
  ],
};
