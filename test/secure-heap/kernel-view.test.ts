// A SecureHeap as the kernel sees it (/proc/self/smaps): arenas guarded, locked, dump- and
// fork-excluded and NoAccess at rest; a use()/update() opens only the page of its secret, with
// per-page open counts; the heap's stats agree with the kernel's numbers. The data pages are
// secret memory where this machine has it (smaps `---s`), else private pages (`---p`).
import { afterEach, describe, expect, it } from 'vitest';
import { SecureHeap, type SecureBuffer } from '../../src/index.js';
import { overlapping, readSmaps, vmLockedBytes } from '../helpers/kernel.js';
import { DEFAULT_SHARING as S, permsAt, secretBytes } from '../secure-buffer/peek.js';

const heaps: SecureHeap[] = [];
function makeHeap(options?: ConstructorParameters<typeof SecureHeap>[0]): SecureHeap {
  const heap = new SecureHeap(options);
  heaps.push(heap);
  return heap;
}
afterEach(() => {
  for (const heap of heaps.splice(0)) heap.destroy();
});

const PAGE = 4096;

/** The kernel's permissions for the page holding a heap secret. */
function pagePerms(buffer: SecureBuffer): string[] {
  const { dataPages } = buffer.inspect();
  return permsAt(dataPages.address, dataPages.length);
}

describe('SecureHeap arenas in /proc/self/smaps', () => {
  it('are guarded at both ends, locked, excluded from dumps and forks, and NoAccess at rest', () => {
    const heap = makeHeap();
    const secrets = Array.from({ length: 300 }, (_, i) => heap.from(secretBytes(32, i)));
    const { arenas } = heap.inspect();
    expect(arenas.length).toBe(1);
    const [arena] = arenas;
    const smaps = readSmaps();
    const data = overlapping(smaps, arena.dataPages.address, arena.dataPages.length);
    expect(new Set(data.map((entry) => entry.perms))).toEqual(new Set([`---${S}`]));
    for (const entry of data) for (const flag of ['lo', 'dd', 'dc']) expect(entry.flags.has(flag)).toBe(true);
    expect(arena.guards.map((guard) => guard.position)).toEqual(['before', 'after']);
    for (const guard of arena.guards) {
      expect(guard.length).toBe(PAGE);
      expect(overlapping(smaps, guard.address, guard.length).map((entry) => entry.perms)).toEqual(['---p']);
    }
    expect(secrets[0].inspect().placement).toBe('heapSlot');
  });

  it('opens only the page a use() or update() touches, then closes it', () => {
    const heap = makeHeap();
    const secrets = Array.from({ length: 200 }, (_, i) => heap.from(secretBytes(32, i)));
    const first = secrets[0];
    const far = secrets[199]; // 85 slots of 32 bytes per page: another page
    expect(far.inspect().dataPages.address).not.toBe(first.inspect().dataPages.address);
    const during = first.use(() => ({ mine: pagePerms(first), other: pagePerms(far) }));
    expect(during).toEqual({ mine: [`r--${S}`], other: [`---${S}`] });
    const duringUpdate = first.update(() => pagePerms(first));
    expect(duringUpdate).toEqual([`rw-${S}`]);
    expect(pagePerms(first)).toEqual([`---${S}`]);
    const {
      arenas: [arena],
    } = heap.inspect();
    expect(new Set(permsAt(arena.dataPages.address, arena.dataPages.length))).toEqual(new Set([`---${S}`]));
  });

  it('counts open scopes per page: a page shared by two open secrets closes after the last one', () => {
    const heap = makeHeap();
    const a = heap.from(secretBytes(32, 1));
    const b = heap.from(secretBytes(32, 2));
    expect(b.inspect().dataPages.address).toBe(a.inspect().dataPages.address);
    const seen: string[][] = [];
    a.use(() => {
      seen.push(pagePerms(a)); // r--p
      b.update((view) => {
        view[0] = 0xab;
        seen.push(pagePerms(a)); // rw-p: widened for b
      });
      seen.push(pagePerms(a)); // still rw-p: a's scope keeps the page open, at the widest access
      expect(heap.stats().openScopes).toBe(1);
    });
    seen.push(pagePerms(a));
    expect(seen).toEqual([[`r--${S}`], [`rw-${S}`], [`rw-${S}`], [`---${S}`]]);
    expect(b.use((view) => view[0])).toBe(0xab);
    expect(a.equals(secretBytes(32, 1))).toBe(true);
  });

  it('keeps an open page at its protection while a wipe opens and closes the pages around it', () => {
    const heap = makeHeap();
    const a = heap.from(secretBytes(32, 1));
    const b = heap.from(secretBytes(32, 2));
    const seen = a.use((view) => {
      b.dispose();
      heap.flush(); // opens the dirty span (a's page) for writing, then restores it
      return { perms: pagePerms(a), first: view[0], pending: heap.stats().pendingWipes };
    });
    expect(seen).toEqual({ perms: [`r--${S}`], first: secretBytes(32, 1)[0], pending: 0 });
    expect(pagePerms(a)).toEqual([`---${S}`]);
  });

  it('closes the page when a callback throws', () => {
    const heap = makeHeap();
    const key = heap.from(secretBytes(32));
    expect(() =>
      key.update(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(pagePerms(key)).toEqual([`---${S}`]);
    expect(heap.stats().openScopes).toBe(0);
  });

  it('reports stats that agree with the kernel: mapped bytes, locked bytes, VmLck', () => {
    const lockedBefore = vmLockedBytes();
    const heap = makeHeap({ arenaSize: 64 * 1024 });
    const secrets = Array.from({ length: 3000 }, (_, i) => heap.alloc(16 + (i % 48)));
    const stats = heap.stats();
    expect(stats.live).toBe(3000);
    expect(stats.usedBytes).toBe(secrets.reduce((sum, secret) => sum + secret.size, 0));
    const { arenas } = heap.inspect();
    expect(arenas.length).toBe(stats.arenas);
    expect(stats.arenas).toBeGreaterThan(1);
    const smaps = readSmaps();
    let mapped = 0;
    let locked = 0;
    for (const arena of arenas) {
      mapped += arena.mapping.length;
      // Whole entries are counted once each (neighbouring arenas may share a merged guard entry).
      for (const entry of overlapping(smaps, arena.dataPages.address, arena.dataPages.length)) {
        expect(
          entry.start >= arena.dataPages.address &&
            entry.end <= arena.dataPages.address + BigInt(arena.dataPages.length),
        ).toBe(true);
        locked += entry.lockedBytes;
      }
    }
    expect(stats.reservedBytes).toBe(mapped);
    expect(stats.lockedBytes).toBe(locked);
    expect(vmLockedBytes() - lockedBefore).toBe(stats.lockedBytes);
    expect(stats.lockedBytes).toBe(stats.arenas * 64 * 1024);
  });

  it('takes at most three kernel mappings per arena at rest', () => {
    const heap = makeHeap({ arenaSize: 32 * 1024 });
    for (let i = 0; i < 2000; i++) heap.alloc(32);
    const { arenas } = heap.inspect();
    const smaps = readSmaps();
    const entries = new Set<bigint>();
    for (const arena of arenas)
      for (const entry of overlapping(smaps, arena.mapping.address, arena.mapping.length)) entries.add(entry.start);
    expect(arenas.length).toBeGreaterThan(2);
    expect(entries.size).toBeLessThanOrEqual(3 * arenas.length);
  });
});
