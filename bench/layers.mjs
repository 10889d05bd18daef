#!/usr/bin/env node
// Where the time of a protection toggle and of a Secure allocate+free goes: the same work
// measured layer by layer, interleaved, as ratios to a C loop running inside this process
// (floor.c built as a shared library). A diagnostic for bench/README.md, not part of the table.
//
//   node bench/layers.mjs [--rounds 31]
import { parseArgs } from 'node:util';
import { createEnv } from './lib/cases.mjs';
import { buildFloor, buildFloorLibrary, FloorProcess } from './lib/floor.mjs';
import { formatTime } from './lib/report.mjs';
import { pairedRatios, summarize } from './lib/stats.mjs';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '31' } } });
const env = await createEnv();
const {
  memory,
  memshield: { MemoryProtectionLevel: L, AllocationType: T, createPlatformMemory },
} = env;
const { host } = env;
const koffi = (await import('koffi')).default;
const floorRun = koffi
  .load(buildFloorLibrary())
  .func('int64_t floor_run(const char *name, uint64_t bytes, uint64_t iterations)');
const mprotect = koffi.load('libc.so.6').func('int mprotect(void *addr, size_t length, int prot)');
const child = new FloorProcess(buildFloor().binary);

const PAGE = host.pageSize();
const PROT_NONE = 0;
const PROT_READ = 1;
const NO_ACCESS = 0; // the host's protection codes (host/types.ts)
const READ_ONLY = 1;

/** A host that lends the native one's mappings but whose calls can be switched to do nothing. */
function switchableHost() {
  const state = { idle: false, spare: -1 };
  const lean = Object.create(host);
  for (const operation of ['map', 'unmap', 'protect', 'lock', 'unlock', 'advise', 'fill']) {
    lean[operation] = (...args) => {
      if (!state.idle) return host[operation](...args);
      return operation === 'map' ? state.spare : 0; // map: one read-write mapping, reused
    };
  }
  state.spare = host.map(3 * PAGE, PAGE, 2, 0);
  return { lean, state };
}

/**
 * A tiny Wasm module whose export `toggle()` calls its import `host.protect(id, offset, length,
 * protection)` twice (protection 0, then 1), with the core's import signature (i32 f64 f64 i32
 * → i32): the cost of reaching JS, and through it koffi, from Wasm.
 */
function wasmToggle(protect) {
  const f64 = (value) => [...new Uint8Array(new Float64Array([value]).buffer)];
  const call = (protection) => [0x41, 0, 0x44, ...f64(PAGE), 0x44, ...f64(PAGE), 0x41, protection, 0x10, 0];
  const body = [0, ...call(0), ...call(1), 0x6a, 0x0b]; // no locals; call; call; i32.add; end
  const text = (word) => [word.length, ...Buffer.from(word)];
  const section = (id, bytes) => [id, bytes.length, ...bytes];
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [2, 0x60, 4, 0x7f, 0x7c, 0x7c, 0x7f, 1, 0x7f, 0x60, 0, 1, 0x7f]),
    ...section(2, [1, ...text('host'), ...text('protect'), 0x00, 0]),
    ...section(3, [1, 1]),
    ...section(7, [1, ...text('toggle'), 0x00, 1]),
    ...section(10, [1, body.length, ...body]),
  ];
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes)), { host: { protect } });
  return instance.exports.toggle;
}

/** Runs `fn(iterations)` and returns ns per iteration. */
function timed(fn) {
  return async (iterations) => {
    const start = process.hrtime.bigint();
    await fn(iterations);
    return Number(process.hrtime.bigint() - start) / iterations;
  };
}

async function compare(title, iterations, sides) {
  const names = Object.keys(sides);
  for (const name of names) await sides[name](iterations); // warm
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  const rounds = Number(args.rounds);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      samples[name].push(await sides[name](iterations));
    }
    process.stderr.write(`\r${title}: round ${round + 1}/${rounds}`);
  }
  process.stderr.write('\n');
  const base = samples[names[0]];
  console.log(`\n${title} (${rounds} rounds × ${iterations}; ratio = median of per-round ratios to the first row)\n`);
  console.log('| layer | time | × C in-process |');
  console.log('|---|---|---|');
  for (const name of names) {
    const ratio = summarize(pairedRatios(samples[name], base));
    console.log(
      `| ${name} | ${formatTime(summarize(samples[name]).median)} | ` +
        `${ratio.median.toFixed(2)} (${ratio.p10.toFixed(2)}–${ratio.p90.toFixed(2)}) |`,
    );
  }
}

// Protection toggle on the data page of a Secure 32-byte region.
{
  const region = memory.allocate(32, 8, L.ReadWrite, T.Secure);
  memory.protect(region, L.ReadOnly);
  const dataPage = memory.inspect(region).dataPages.address;
  // A mapping made through the host like a Secure one (guards, advice, lock), for host.protect.
  const id = host.map(3 * PAGE, PAGE, NO_ACCESS, 0);
  host.protect(id, PAGE, PAGE, 2);
  host.advise(id, 0, 3 * PAGE, 1);
  host.advise(id, 0, 3 * PAGE, 2);
  host.lock(id, PAGE, PAGE);
  const NATIVE = [PROT_NONE, PROT_READ];
  const viaWasm = wasmToggle((_id, _offset, length, protection) => mprotect(dataPage, length, NATIVE[protection]));
  const { lean, state } = switchableHost();
  const leanMemory = createPlatformMemory({ host: lean });
  const leanRegion = leanMemory.allocate(32, 8, L.ReadWrite, T.Secure);
  leanMemory.protect(leanRegion, L.ReadOnly);

  await compare('protect NoAccess↔ReadOnly', 5000, {
    'C loop, in this process (floor.so)': async (n) => Number(floorRun('protect-toggle', 32, n)) / n,
    'C loop, child process (the bench floor)': async (n) => (await child.run('protect-toggle', 32, n)) / n,
    'koffi mprotect ×2 from JS': timed((n) => {
      for (let i = 0; i < n; i++) {
        mprotect(dataPage, PAGE, PROT_NONE);
        mprotect(dataPage, PAGE, PROT_READ);
      }
    }),
    'koffi mprotect ×2 from a JS import called by Wasm': timed((n) => {
      for (let i = 0; i < n; i++) viaWasm();
    }),
    'Linux host protect ×2 from JS': timed((n) => {
      for (let i = 0; i < n; i++) {
        host.protect(id, PAGE, PAGE, NO_ACCESS);
        host.protect(id, PAGE, PAGE, READ_ONLY);
      }
    }),
    'memshield (PlatformMemory.protect ×2)': timed((n) => {
      for (let i = 0; i < n; i++) {
        memory.protect(region, L.NoAccess);
        memory.protect(region, L.ReadOnly);
      }
    }),
    'memshield with the syscalls removed': timed((n) => {
      state.idle = true;
      for (let i = 0; i < n; i++) {
        leanMemory.protect(leanRegion, L.NoAccess);
        leanMemory.protect(leanRegion, L.ReadOnly);
      }
      state.idle = false;
    }),
  });
  memory.free(region);
  host.unmap(id);
  leanMemory.protect(leanRegion, L.ReadWrite);
  leanMemory.free(leanRegion);
}

// Secure allocate+free, 32 bytes.
{
  const { lean, state } = switchableHost();
  const leanMemory = createPlatformMemory({ host: lean });
  await compare('Secure allocate+free, 32 B', 500, {
    'C loop, in this process (floor.so)': async (n) => Number(floorRun('secure-alloc-free', 32, n)) / n,
    'C loop, child process (the bench floor)': async (n) => (await child.run('secure-alloc-free', 32, n)) / n,
    memshield: timed((n) => {
      for (let i = 0; i < n; i++) memory.free(memory.allocate(32, 8, L.ReadWrite, T.Secure));
    }),
    'memshield with the syscalls removed (canary copies kept)': timed((n) => {
      state.idle = true;
      for (let i = 0; i < n; i++) leanMemory.free(leanMemory.allocate(32, 8, L.ReadWrite, T.Secure));
      state.idle = false;
    }),
  });
}
await child.close();
