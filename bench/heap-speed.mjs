#!/usr/bin/env node
// How fast a 32-byte secret is allocated and freed: memshield's SecureHeap against
// sodium-native's sodium_malloc + sodium_free, side by side in one process, rounds interleaved.
// Also: standalone SecureBuffers, scoped access, and the three ways to wipe a freed secret that
// rests NoAccess (why the heap wipes in batches). Prints a table, then one line of JSON.
//
//   node bench/heap-speed.mjs            (re-runs itself with --expose-gc; needs `npm run build`)
//
// sodium_free leaves its 4 mappings until garbage collection (and its finalizers, a tick later),
// and a process holding ~16,300 of them aborts (vm.max_map_count): sodium rounds stay small, with
// garbage collected and a tick awaited before each.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

if (typeof globalThis.gc !== 'function') {
  const result = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

const { SecureHeap, SecureBuffer } = await import(new URL('../dist/src/index.js', import.meta.url));
const sodium = (await import('sodium-native')).default;
const koffi = (await import('koffi')).default;

const ROUNDS = 5;
const HEAP_OPS = 200_000;
const SODIUM_OPS = 2_000;
const STANDALONE_OPS = 2_000;

const now = () => process.hrtime.bigint();
/** Collects garbage and lets finalizers (sodium's munmap) run. */
async function collect() {
  globalThis.gc();
  await new Promise((resolve) => setImmediate(resolve));
}
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** ns per operation of `body(count)`, as the median of ROUNDS rounds, each after `between()`. */
function measure(count, body, between = () => {}) {
  const samples = [];
  for (let round = 0; round < ROUNDS; round++) {
    between();
    const start = now();
    body(count);
    samples.push(Number(now() - start) / count);
  }
  return median(samples);
}

// ── Allocate + free ─────────────────────────────────────────────────────────────────────────
const heap = new SecureHeap();
const heapLoop = (count) => {
  for (let i = 0; i < count; i++) heap.alloc(32).dispose();
  heap.flush(); // the wipe of the last freed secrets belongs to the cost
};
const sodiumLoop = (count) => {
  for (let i = 0; i < count; i++) sodium.sodium_free(sodium.sodium_malloc(32));
};
const standaloneLoop = (count) => {
  for (let i = 0; i < count; i++) SecureBuffer.alloc(32).dispose();
};
// Warm up every path once, then interleave: heap, sodium, heap, sodium, …
heapLoop(20_000);
sodiumLoop(1_000);
await collect();
const heapSamples = [];
const sodiumSamples = [];
const standaloneSamples = [];
for (let round = 0; round < ROUNDS; round++) {
  let start = now();
  heapLoop(HEAP_OPS);
  heapSamples.push(Number(now() - start) / HEAP_OPS);
  await collect();
  start = now();
  sodiumLoop(SODIUM_OPS);
  sodiumSamples.push(Number(now() - start) / SODIUM_OPS);
  await collect();
  start = now();
  standaloneLoop(STANDALONE_OPS);
  standaloneSamples.push(Number(now() - start) / STANDALONE_OPS);
  await collect();
}
const heapNs = median(heapSamples);
const sodiumNs = median(sodiumSamples);
const standaloneNs = median(standaloneSamples);

// Frees spread over ticks (each tick's frees wiped at its end, as in a server).
async function heapTicks(count, perTick) {
  const start = now();
  for (let done = 0; done < count; done += perTick) {
    for (let i = 0; i < perTick; i++) heap.alloc(32).dispose();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Number(now() - start) / count;
}
const tickSamples = [];
for (let round = 0; round < ROUNDS; round++) tickSamples.push(await heapTicks(50_000, 100));
const ticks100 = median(tickSamples);

// ── Scoped access ───────────────────────────────────────────────────────────────────────────
const key = heap.alloc(32);
const useNs = measure(20_000, (count) => { for (let i = 0; i < count; i++) key.use((view) => view[0]); });
key.dispose();
heap.flush();

// ── Three ways to wipe a freed secret resting NoAccess ──────────────────────────────────────
const libc = koffi.load('libc.so.6');
const mmap = libc.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, intptr_t offset)');
const munmap = libc.func('int munmap(void *addr, size_t length)');
const mprotect = libc.func('int mprotect(void *addr, size_t length, int prot)');
const mlock = libc.func('int mlock(void *addr, size_t length)');
const bzero = libc.func('void explicit_bzero(void *dst, size_t n)');
const pwrite = libc.func('intptr_t pwrite(int fd, const void *buf, size_t n, int64_t offset)');
const PAGE = 4096;
const SPAN = 64 * PAGE;
const base = mmap(null, SPAN, 3, 0x22, -1, 0);
mlock(base, SPAN);
mprotect(base, SPAN, 0);
const slot = (i) => base + BigInt((i % 64) * PAGE + 16 + ((i >> 6) % 85) * 48);
const wipeByMprotect = measure(5_000, (count) => {
  for (let i = 0; i < count; i++) {
    const page = base + BigInt((i % 64) * PAGE);
    mprotect(page, PAGE, 3);
    bzero(slot(i), 32);
    mprotect(page, PAGE, 0);
  }
});
const zeros = new Uint8Array(32);
const memFd = openSync('/proc/self/mem', 'r+');
const wipeByProcMem = measure(5_000, (count) => {
  for (let i = 0; i < count; i++) pwrite(memFd, zeros, 32, slot(i));
});
closeSync(memFd);
munmap(base, SPAN);
// The heap's way: frees marked, then one batch per tick or when slots run out.
const batchSamples = [];
for (let round = 0; round < ROUNDS; round++) {
  const batch = Array.from({ length: 85 * 64 }, () => heap.alloc(32));
  for (const secret of batch) secret.dispose();
  const start = now();
  heap.flush();
  batchSamples.push(Number(now() - start) / batch.length);
}
const wipeByHeapBatch = median(batchSamples);
heap.destroy();

// ── Report ──────────────────────────────────────────────────────────────────────────────────
const results = {
  machine: { node: process.version, cpus: (await import('node:os')).cpus().length, pageSize: PAGE },
  allocFree32: {
    secureHeapNs: Math.round(heapNs),
    sodiumMallocFreeNs: Math.round(sodiumNs),
    ratio: Number((sodiumNs / heapNs).toFixed(1)),
    target: 50,
    secureHeapSamplesNs: heapSamples.map(Math.round),
    sodiumSamplesNs: sodiumSamples.map(Math.round),
  },
  secureHeapFreesWipedEachTickOf100Ns: Math.round(ticks100),
  standaloneSecureBufferAllocDisposeNs: Math.round(standaloneNs),
  heapUseNs: Math.round(useNs),
  wipeOneFreedSecretNs: {
    mprotectOpenZeroClose: Math.round(wipeByMprotect),
    pwriteProcSelfMem: Math.round(wipeByProcMem),
    secureHeapBatch: Math.round(wipeByHeapBatch),
  },
};

const rows = [
  ['alloc + free, 32 bytes', 'SecureHeap', `${results.allocFree32.secureHeapNs} ns`],
  ['', 'sodium_malloc + sodium_free', `${results.allocFree32.sodiumMallocFreeNs} ns`],
  ['', 'ratio (target ≥ 50×)', `${results.allocFree32.ratio}×`],
  ['', 'SecureHeap, frees wiped each tick of 100', `${results.secureHeapFreesWipedEachTickOf100Ns} ns`],
  ['', 'SecureBuffer.alloc + dispose (own region)', `${results.standaloneSecureBufferAllocDisposeNs} ns`],
  ['use() of a heap secret', 'mprotect r-- then ---', `${results.heapUseNs} ns`],
  ['wipe one freed secret', 'mprotect rw-, zero, mprotect ---', `${results.wipeOneFreedSecretNs.mprotectOpenZeroClose} ns`],
  ['', 'pwrite to /proc/self/mem', `${results.wipeOneFreedSecretNs.pwriteProcSelfMem} ns`],
  ['', 'SecureHeap batch (chosen)', `${results.wipeOneFreedSecretNs.secureHeapBatch} ns`],
];
const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column].length)));
const line = (row) => row.map((cell, column) => (column === 2 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ');
writeSync(1, `${rows.map(line).join('\n')}\n`);
writeSync(1, `${JSON.stringify(results)}\n`);
