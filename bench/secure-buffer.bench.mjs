// SecureBuffer: a standalone buffer made and disposed, and use() on a 32-byte secret — standalone
// (a Secure region of its own) and in a SecureHeap slot (one page of an arena).
/** @typedef {import('./lib/cases.mjs').TimedCase} TimedCase */

const SIZE = 32;
const ARENA = 256 * 1024; // SecureHeap's default arena: the floor's arena-use maps the same
// Ordinary pages, as the floors here mirror (secret memory has its rows in secret-memory.bench.mjs).
const OFF = { secretMemory: 'off' };

/** A sodium_malloc(32) buffer at rest (NoAccess), as sodium users keep a secret between uses. */
function restingSodiumBuffer(sodium) {
  if (!sodium) return undefined;
  const buffer = sodium.sodium_malloc(SIZE);
  sodium.sodium_mprotect_noaccess(buffer);
  return buffer;
}

function releaseSodiumBuffer(sodium, buffer) {
  if (!buffer) return;
  sodium.sodium_mprotect_readwrite(buffer);
  sodium.sodium_free(buffer);
}

/** The same use on every side: read one byte of the secret, as a caller reading a key would. */
const readFirst = (view) => view[0];

/**
 * Every side's bytes go here, so that each read really happens: V8 drops a typed-array load whose
 * value is never used (sodium's side read nothing until this was added, and so skipped the first
 * touch of the freshly opened page — about 6 µs on this VM, in floor.c too: bench/README.md).
 */
let sink = 0;
export const readSink = () => sink;

/** sodium's use: open the buffer read-only, read, close it again. */
function sodiumUse({ env: { sodium }, buffer }, iterations) {
  for (let i = 0; i < iterations; i++) {
    sodium.sodium_mprotect_readonly(buffer);
    sink ^= readFirst(buffer);
    sodium.sodium_mprotect_noaccess(buffer);
  }
}

/** @type {{ order: number, cases: TimedCase[] }} */
export default {
  order: 60,
  cases: [
    {
      id: 'secure-buffer-alloc-dispose-32',
      title: 'SecureBuffer.alloc+dispose, 32 B',
      // A Secure allocation left NoAccess (one mprotect more), and opened again to be wiped.
      floor: { name: 'secure-buffer-alloc-free', bytes: SIZE },
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
        for (let i = 0; i < iterations; i++) SecureBuffer.alloc(SIZE, { host, ...OFF }).dispose();
      },
      // As in allocate.bench.mjs: sodium_free unmaps only after a garbage collection.
      async sodium({ env }, iterations) {
        for (let i = 0; i < iterations; i++) env.sodium.sodium_free(env.sodium.sodium_malloc(SIZE));
        await env.collectGarbage();
      },
      batch: { sodium: 1000 },
    },
    {
      id: 'secure-buffer-use-32',
      title: 'SecureBuffer.use, 32 B standalone',
      // mprotect(READ) and mprotect(NONE) of the data page, the region's own mapping.
      floor: { name: 'secure-use', bytes: SIZE },
      setup(env) {
        const secret = env.memshield.SecureBuffer.alloc(SIZE, { host: env.host, ...OFF });
        return { env, secret, buffer: restingSodiumBuffer(env.sodium) };
      },
      memshield({ secret }, iterations) {
        for (let i = 0; i < iterations; i++) sink ^= secret.use(readFirst);
      },
      sodium: sodiumUse,
      targets: { sodium: 1.1 }, // issue 14
      teardown({ env, secret, buffer }) {
        secret.dispose();
        releaseSodiumBuffer(env.sodium, buffer);
      },
    },
    {
      id: 'heap-use-32',
      title: 'SecureBuffer.use, 32 B in a SecureHeap',
      // mprotect(READ) and mprotect(NONE) of one page inside a 256 KiB arena: the kernel splits
      // the arena's mapping and merges it back, each time (floor.c's arena-use does the same).
      floor: { name: 'arena-use', bytes: ARENA },
      setup(env) {
        const heap = new env.memshield.SecureHeap({ host: env.host, arenaSize: ARENA, ...OFF });
        const secret = heap.alloc(SIZE);
        // The floor opens the arena's first page: check that the secret is there.
        const arena = heap.inspect().arenas[0];
        if (secret.inspect().dataPages.address !== arena.dataPages.address) {
          throw new Error(
            "the first heap secret is not on the arena's first page: floor.c arena-use no longer mirrors heap-use",
          );
        }
        return { env, heap, secret, buffer: restingSodiumBuffer(env.sodium) };
      },
      memshield({ secret }, iterations) {
        for (let i = 0; i < iterations; i++) sink ^= secret.use(readFirst);
      },
      sodium: sodiumUse,
      targets: { sodium: 1.1 }, // issue 14 (an arena page costs the kernel a split and a merge: bench/README.md)
      teardown({ env, heap, buffer }) {
        heap.destroy();
        releaseSodiumBuffer(env.sodium, buffer);
      },
    },
  ],
};
