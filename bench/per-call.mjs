#!/usr/bin/env node
// The fixed cost of one small call on each hot path (protect toggle, write/readInto/read of 32 B
// and 1 KiB, use() of a 32-byte secret, Secure allocate+free), for this checkout's build and,
// with --against, another checkout's build loaded into the same process: both are timed in the
// same interleaved rounds, so the load of a shared machine cancels in the per-round ratio.
// Times are CPU time of this process, so that other processes' load stays out. Rows marked "no syscalls" run over a
// host whose protect does nothing: what is left is
// memshield's own path (checks, the Wasm core, the host's JS). A diagnostic for bench/README.md.
//
// With --sodium the other side is sodium-native doing the same on its own buffer (the toggle and
// use() rows: sodium_mprotect_* from its in-process addon), for the ratios issue 14 targets.
//
//   npm run build && node bench/per-call.mjs [--against ../main-checkout | --sodium] [--rounds 21] [--only write]
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatTime } from './lib/report.mjs';
import { pairedRatios, summarize } from './lib/stats.mjs';

const { values: args } = parseArgs({
  options: {
    against: { type: 'string' },
    sodium: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '21' },
    'batch-ms': { type: 'string', default: '50' },
    only: { type: 'string', multiple: true, default: [] },
  },
});

/** The public API and the native host of the build in checkout `root`. */
async function loadBuild(root) {
  const dist = pathToFileURL(`${resolve(root)}/dist/src/`).href;
  const api = await import(`${dist}index.js`);
  const { nativeHost } = await import(`${dist}default-memory.js`);
  return { api, host: nativeHost() };
}

/** A host whose protect does nothing once `idle` is set: memshield's path without the kernel. */
function idleProtectHost(host) {
  const state = { idle: false };
  const lean = Object.create(host);
  lean.protect = (id, offset, length, protection) => (state.idle ? 0 : host.protect(id, offset, length, protection));
  return { lean, state };
}

/** Every operation of one build, each as `run(iterations)` over state made here once. */
function operations({ api, host }) {
  const { PlatformMemory: memory, MemoryProtectionLevel: L, AllocationType: T, SecureBuffer, SecureHeap } = api;
  const region = (size) => memory.allocate(size, 8, L.ReadWrite, T.Secure);
  const r32 = region(32);
  const r1k = region(1024);
  const toggled = region(32);
  memory.protect(toggled, L.ReadOnly);
  const b32 = new Uint8Array(32).fill(1);
  const b1k = new Uint8Array(1024).fill(1);
  const standalone = SecureBuffer.alloc(32, { secretMemory: 'off' });
  const heap = new SecureHeap({ secretMemory: 'off' });
  const inHeap = heap.alloc(32);
  const { lean, state } = idleProtectHost(host);
  const leanSecret = SecureBuffer.alloc(32, { host: lean, secretMemory: 'off' });
  // Its page stays readable: the close of this use() is skipped, so idle opens cannot fault.
  leanSecret.use(() => {
    state.idle = true;
  });
  state.idle = false;
  const leanMemory = api.createPlatformMemory({ host: lean });
  const leanRegion = leanMemory.allocate(32, 8, L.ReadWrite, T.Secure);
  leanMemory.protect(leanRegion, L.ReadOnly);
  const readFirst = (view) => view[0];
  let sink = 0;
  const idle = (loop) => (n) => {
    state.idle = true;
    try {
      loop(n);
    } finally {
      state.idle = false;
    }
  };
  return {
    'protect NoAccess↔ReadOnly': (n) => {
      for (let i = 0; i < n; i++) {
        memory.protect(toggled, L.NoAccess);
        memory.protect(toggled, L.ReadOnly);
      }
    },
    'protect toggle, no syscalls': idle((n) => {
      for (let i = 0; i < n; i++) {
        leanMemory.protect(leanRegion, L.NoAccess);
        leanMemory.protect(leanRegion, L.ReadOnly);
      }
    }),
    'write 32 B': (n) => {
      for (let i = 0; i < n; i++) memory.write(r32, b32);
    },
    'write 1 KiB': (n) => {
      for (let i = 0; i < n; i++) memory.write(r1k, b1k);
    },
    'readInto 32 B': (n) => {
      for (let i = 0; i < n; i++) memory.readInto(r32, b32);
    },
    'readInto 1 KiB': (n) => {
      for (let i = 0; i < n; i++) memory.readInto(r1k, b1k);
    },
    'read 32 B': (n) => {
      for (let i = 0; i < n; i++) sink ^= memory.read(r32)[0];
    },
    'use 32 B standalone': (n) => {
      for (let i = 0; i < n; i++) sink ^= standalone.use(readFirst);
    },
    'use 32 B in a heap': (n) => {
      for (let i = 0; i < n; i++) sink ^= inHeap.use(readFirst);
    },
    'use 32 B, no syscalls': idle((n) => {
      for (let i = 0; i < n; i++) sink ^= leanSecret.use(readFirst);
    }),
    'Secure allocate+free 32 B': (n) => {
      for (let i = 0; i < n; i++) memory.free(region(32));
    },
    get sink() {
      return sink;
    },
  };
}

/** sodium-native's side of the toggle and use() rows: the same calls on a sodium_malloc(32) buffer. */
function sodiumOperations() {
  const sodium = createRequire(import.meta.url)('sodium-native');
  const toggled = sodium.sodium_malloc(32);
  sodium.sodium_mprotect_readonly(toggled);
  const resting = sodium.sodium_malloc(32);
  sodium.sodium_mprotect_noaccess(resting);
  let sink = 0;
  const use = (n) => {
    for (let i = 0; i < n; i++) {
      sodium.sodium_mprotect_readonly(resting);
      sink ^= resting[0];
      sodium.sodium_mprotect_noaccess(resting);
    }
  };
  return {
    'protect NoAccess↔ReadOnly': (n) => {
      for (let i = 0; i < n; i++) {
        sodium.sodium_mprotect_noaccess(toggled);
        sodium.sodium_mprotect_readonly(toggled);
      }
    },
    'use 32 B standalone': use,
    'use 32 B in a heap': use,
    get sink() {
      return sink;
    },
  };
}

/** Iterations that make one batch of `run` last about `ms` of wall-clock time. */
function calibrate(run, ms) {
  let iterations = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    run(iterations);
    const ns = Number(process.hrtime.bigint() - start);
    if (ns > (ms * 1e6) / 4 || iterations > 1e7) return Math.max(1, Math.round((iterations * ms * 1e6) / ns));
    iterations *= ns < ms * 1e4 ? 10 : 2;
  }
}

/**
 * ns of CPU time (user + system, this process) per iteration: on a loaded machine the time other
 * processes hold the cores is left out, unlike wall-clock time (npm run bench's measure). The
 * kernel may count CPU time in scheduler ticks (1–4 ms): keep batches long (--batch-ms 50).
 */
function timed(run, iterations) {
  const start = process.cpuUsage();
  run(iterations);
  const { user, system } = process.cpuUsage(start);
  return ((user + system) * 1000) / iterations;
}

const builds = { this: operations(await loadBuild(`${import.meta.dirname}/..`)) };
if (args.against) builds.against = operations(await loadBuild(args.against));
else if (args.sodium) builds.against = sodiumOperations();
const other = args.against ?? (args.sodium ? 'sodium-native' : undefined);
const names = Object.keys(builds.this).filter(
  (name) =>
    name !== 'sink' &&
    (!builds.against || name in builds.against) &&
    (args.only.length === 0 || args.only.some((word) => name.includes(word))),
);
const rounds = Number(args.rounds);

console.log(`| operation | this build | ${other ? `${other} | this ÷ that (p10–p90) | fastest ÷ fastest |` : ''}`);
console.log(`|---|---|${other ? '---|---|---|' : ''}`);
for (const name of names) {
  const sides = Object.keys(builds);
  const runs = sides.map((side) => builds[side][name]);
  const iterations = runs.map((run) => calibrate(run, Number(args['batch-ms'])));
  const samples = sides.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < sides.length; k++) {
      const side = (round + k) % sides.length; // rotate who goes first
      samples[side].push(timed(runs[side], iterations[side]));
    }
  }
  const cells = samples.map((series) => {
    const s = summarize(series);
    return `${formatTime(s.median)} (${formatTime(s.p10)}–${formatTime(s.p90)})`;
  });
  if (sides.length === 2) {
    const ratio = summarize(pairedRatios(samples[0], samples[1]));
    cells.push(`${ratio.median.toFixed(2)} (${ratio.p10.toFixed(2)}–${ratio.p90.toFixed(2)})`);
    // The fastest batch of each: on a loaded machine the least disturbed one.
    cells.push((Math.min(...samples[0]) / Math.min(...samples[1])).toFixed(2));
  }
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
if (builds.this.sink === 0.5) console.log(''); // keeps the reads observable
