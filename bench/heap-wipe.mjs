#!/usr/bin/env node
// Why SecureHeap wipes freed secrets in batches: three ways to wipe one freed 32-byte secret
// that rests NoAccess in a locked arena page, measured here. A design measurement for
// docs/secure-buffer.md ("When a freed secret is wiped"), not part of the table (npm run bench
// has the heap's alloc+free, use() and capacity rows).
//
//   npm run build && node bench/heap-wipe.mjs
import { closeSync, openSync, writeSync } from 'node:fs';

const { SecureHeap } = await import(new URL('../dist/src/index.js', import.meta.url).href);
const koffi = (await import('koffi')).default;

const ROUNDS = 5;
const PAGE = 4096;
const PAGES = 64;
const SLOTS_PER_PAGE = 85; // 32-byte class: 48-byte stride on a 4 KiB page
const now = () => process.hrtime.bigint();
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** ns per operation of `body(count)`: the median of ROUNDS rounds. */
function measure(count, body) {
  const samples = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = now();
    body(count);
    samples.push(Number(now() - start) / count);
  }
  return median(samples);
}

// An arena-like span: locked, NoAccess at rest; "slots" at the heap's offsets.
const libc = koffi.load('libc.so.6');
const mmap = libc.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, intptr_t offset)');
const munmap = libc.func('int munmap(void *addr, size_t length)');
const mprotect = libc.func('int mprotect(void *addr, size_t length, int prot)');
const mlock = libc.func('int mlock(void *addr, size_t length)');
const bzero = libc.func('void explicit_bzero(void *dst, size_t n)');
const pwrite = libc.func('intptr_t pwrite(int fd, const void *buf, size_t n, int64_t offset)');
const PROT_NONE = 0;
const PROT_READ_WRITE = 3;
const MAP_PRIVATE_ANONYMOUS = 0x22;
const span = PAGES * PAGE;
const base = mmap(null, span, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0);
mlock(base, span);
mprotect(base, span, PROT_NONE);
const page = (i) => base + BigInt((i % PAGES) * PAGE);
const slot = (i) => page(i) + BigInt(16 + (Math.floor(i / PAGES) % SLOTS_PER_PAGE) * 48);

// 1. Open the page, zero the slot, close the page: two system calls per secret.
const byMprotect = measure(5_000, (count) => {
  for (let i = 0; i < count; i++) {
    mprotect(page(i), PAGE, PROT_READ_WRITE);
    bzero(slot(i), 32);
    mprotect(page(i), PAGE, PROT_NONE);
  }
});
// 2. Write zeros through /proc/self/mem, which ignores page protection: one system call.
const zeros = new Uint8Array(32);
const memory = openSync('/proc/self/mem', 'r+');
const byProcMem = measure(5_000, (count) => {
  for (let i = 0; i < count; i++) pwrite(memory, zeros, 32, slot(i));
});
closeSync(memory);
munmap(base, span);

// 3. The heap's way: frees only marked; one flush opens the affected span, wipes, checks, closes.
const heap = new SecureHeap();
const batchSamples = [];
for (let round = 0; round < ROUNDS; round++) {
  const secrets = Array.from({ length: SLOTS_PER_PAGE * PAGES }, () => heap.alloc(32));
  for (const secret of secrets) secret.dispose();
  const start = now();
  heap.flush();
  batchSamples.push(Number(now() - start) / secrets.length);
}
const byBatch = median(batchSamples);
heap.destroy();

const rows = [
  ['mprotect rw-, zero, mprotect ---', byMprotect],
  ['pwrite to /proc/self/mem', byProcMem],
  [`SecureHeap batch of ${SLOTS_PER_PAGE * PAGES} (chosen)`, byBatch],
];
const width = Math.max(...rows.map(([name]) => name.length));
writeSync(1, `wiping one freed 32-byte secret at rest, node ${process.version}, median of ${ROUNDS}:\n`);
for (const [name, ns] of rows) writeSync(1, `  ${name.padEnd(width)}  ${(ns / 1000).toFixed(2).padStart(6)} µs\n`);
const wipeOneFreedSecretNs = {
  mprotectOpenZeroClose: Math.round(byMprotect),
  pwriteProcSelfMem: Math.round(byProcMem),
  secureHeapBatch: Math.round(byBatch),
};
writeSync(1, `${JSON.stringify({ wipeOneFreedSecretNs })}\n`);
