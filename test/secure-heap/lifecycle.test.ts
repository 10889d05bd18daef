// A SecureHeap's options, growth, limits and teardown on the real kernel.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SecureHeap } from '../../src/index.js';
import { slotLayout } from './slot-layout.js';
import { dontDumpEntries, entryAt, readMaps } from '../helpers/kernel.js';
import { secretBytes } from '../secure-buffer/peek.js';
import { errorOf } from '../helpers/errors.js';

describe('SecureHeap slots', () => {
  it('rounds sizes up to 20 classes of up to 1 KiB, with the slots per 4 KiB page the layout says', () => {
    const rows = [1, 16, 17, 32, 33, 100, 128, 129, 160, 200, 256, 300, 512, 513, 1000, 1024, 1025].map((size) => [
      size,
      ...slotLayout(size),
    ]);
    expect(rows).toEqual([
      [1, 16, 127],
      [16, 16, 127],
      [17, 32, 85],
      [32, 32, 85],
      [33, 48, 63],
      [100, 112, 31],
      [128, 128, 28],
      [129, 160, 23],
      [160, 160, 23],
      [200, 224, 17],
      [256, 256, 15],
      [300, 320, 12],
      [512, 512, 7],
      [513, 640, 6],
      [1000, 1024, 3],
      [1024, 1024, 3],
      [1025, 0, 0],
    ]);
    // The layout: the first slot after a 16-byte gap, stride = slot + 16, everything within the page.
    for (const [, slot, perPage] of rows) if (slot) expect(16 + perPage * (slot + 16)).toBeLessThanOrEqual(4096);
  });

  it('has the size classes docs/secure-buffer.md lists, with the slots per page it states', () => {
    const docs = readFileSync(new URL('../../docs/secure-buffer.md', import.meta.url), 'utf8');
    const listed = /Size classes \(slots per 4 KiB page\):([^.]*)\./s.exec(docs)![1];
    const pairs = [...listed.matchAll(/(\d+) \((\d+)\)/g)].map((match) => [Number(match[1]), Number(match[2])]);
    expect(pairs.length).toBe(20);
    for (const [size, perPage] of pairs) expect(slotLayout(size)).toEqual([size, perPage]);
    expect(slotLayout(pairs.at(-1)![0] + 1)).toEqual([0, 0]);
  });

  it('counts live secrets, their bytes and their slot bytes', () => {
    const heap = new SecureHeap();
    const a = heap.alloc(20);
    const b = heap.alloc(100);
    expect(heap.stats()).toMatchObject({ live: 2, usedBytes: 120, slotBytes: 32 + 112, dedicatedRegions: 0 });
    a.dispose();
    expect(heap.stats()).toMatchObject({ live: 1, usedBytes: 100, slotBytes: 112, pendingWipes: 1 });
    b.dispose();
    heap.destroy();
  });

  it('gives secrets over 1 KiB a guarded Secure region of their own, owned by the heap', () => {
    const heap = new SecureHeap();
    const big = heap.from(secretBytes(3000));
    const info = big.inspect();
    expect(info.placement).toBe('region');
    expect(info.guards.length).toBe(2);
    expect(info.locked).toBe(true);
    expect(heap.stats()).toMatchObject({ live: 1, dedicatedRegions: 1, usedBytes: 3000 });
    expect(big.equals(secretBytes(3000))).toBe(true);
    heap.destroy();
    // Its range is quarantined: reserved and inaccessible, nothing locked there (or gone, past the cap).
    const after = entryAt(readMaps(), info.data.address);
    if (after) expect(after.perms).toBe('---p');
    expect(big.disposed).toBe(true);
  });
});

describe('SecureHeap growth and limits', () => {
  it('grows by arenas of arenaSize', () => {
    const heap = new SecureHeap({ arenaSize: 16 * 1024 });
    for (let i = 0; i < 85 * 4; i++) heap.alloc(32); // exactly 4 pages of 32-byte slots
    expect(heap.stats()).toMatchObject({ arenas: 1, arenaSize: 16384, reservedBytes: 16384 + 8192 });
    heap.alloc(32);
    expect(heap.stats()).toMatchObject({ arenas: 2, reservedBytes: 2 * (16384 + 8192), lockedBytes: 2 * 16384 });
    heap.destroy();
  });

  it('stops at maxSize with ALLOCATION_FAILED and leaves nothing mapped for the failed attempt', () => {
    const heap = new SecureHeap({ arenaSize: 4096, maxSize: 2 * (4096 + 8192) });
    for (let i = 0; i < 2 * 85; i++) heap.alloc(32);
    // Secure mappings are the only ones with VmFlags dd: the failed attempt must add none.
    const secureMappings = dontDumpEntries()
      .map((entry) => `${entry.start}-${entry.end}`)
      .join();
    const failure = errorOf(() => heap.alloc(32));
    expect(failure?.code).toBe('ALLOCATION_FAILED');
    expect(failure?.message).toMatch(/maxSize/);
    expect(failure?.message).toMatch(/170 secrets live, 2 arenas of 4096 bytes/);
    expect(
      dontDumpEntries()
        .map((entry) => `${entry.start}-${entry.end}`)
        .join(),
    ).toBe(secureMappings);
    expect(heap.stats()).toMatchObject({ arenas: 2, live: 170 });
    heap.destroy();
  });

  it('reuses freed slots instead of growing: a long alloc/free loop stays in one arena', () => {
    const heap = new SecureHeap({ arenaSize: 64 * 1024 });
    for (let i = 0; i < 50_000; i++) heap.alloc(32).dispose();
    heap.flush();
    expect(heap.stats()).toMatchObject({ arenas: 1, live: 0, pendingWipes: 0, canaryFailures: 0 });
    heap.destroy();
  });

  it('gives empty arenas back on trim() and grows again afterwards', () => {
    const heap = new SecureHeap({ arenaSize: 8192 });
    const keep = heap.alloc(32);
    const rest = Array.from({ length: 400 }, () => heap.alloc(32));
    const arenas = heap.stats().arenas;
    expect(arenas).toBeGreaterThan(2);
    for (const buffer of rest) buffer.dispose();
    heap.trim();
    expect(heap.stats()).toMatchObject({ arenas: 1, live: 1, reservedBytes: 8192 + 8192 });
    expect(keep.use((view) => view.length)).toBe(32);
    heap.alloc(32);
    keep.dispose();
    heap.destroy();
  });

  it('refuses bad options and sizes with INVALID_ARGUMENT', () => {
    expect(errorOf(() => new SecureHeap({ arenaSize: 0 }))?.code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => new SecureHeap({ maxSize: -1 }))?.code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => new SecureHeap({ lock: 'sometimes' as never }))?.code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => new SecureHeap({ arenas: 3 } as never))?.code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => new SecureHeap({ host: {} as never }))?.code).toBe('INVALID_ARGUMENT');
    const heap = new SecureHeap();
    expect(errorOf(() => heap.alloc(0))?.code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => heap.alloc(2.5))?.code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => heap.from(new Uint8Array(0)))?.code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => heap.from([1, 2] as never))?.code).toBe('INVALID_ARGUMENT');
    heap.destroy();
  });

  it('refuses destroy() inside a use() of one of its secrets, and destroys afterwards', () => {
    const heap = new SecureHeap();
    const key = heap.alloc(32);
    const inside = key.use(() => errorOf(() => heap.destroy()));
    expect(inside?.code).toBe('ACCESS_DENIED');
    expect(heap.destroyed).toBe(false);
    heap.destroy();
    expect(key.disposed).toBe(true);
  });
});
