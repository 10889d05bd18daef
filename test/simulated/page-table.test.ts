// The page table enforces what a kernel enforces: page-granular protections, RLIMIT_MEMLOCK,
// vm.max_map_count over VMAs counted as the kernel splits them, aligned deterministic addresses,
// huge pages that cannot be split, and holes past a mapping's end. (kernel-agreement.test.ts
// checks the same answers against the real kernel where that can be done safely.)
import { describe, expect, it } from 'vitest';
import { Protection } from '../../host/types.js';
import { ADDRESS_LIMIT, BASE_ADDRESS, MAX_MAPPING_BYTES } from '../../host/simulated/page-table.js';
import { AllocationType, MemoryProtectionLevel } from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';
import { expectCode, expectNothingLeft, simulated } from './fixtures.js';

const { ReadWrite, NoAccess } = MemoryProtectionLevel;
const { Secure, Regular, LargePage } = AllocationType;
const EINVAL = 22;
const ENOMEM = 12;
const EAGAIN = 11;

describe('the simulated page table', () => {
  it('places mappings at deterministic addresses, aligned as asked, with a hole after each', () => {
    const host = createSimulatedHost();
    const a = host.map(8192, 4096, Protection.ReadWrite, 0);
    const b = host.map(4096, 1 << 20, Protection.ReadWrite, 0);
    const c = host.map(4096, 4096, Protection.ReadWrite, 0);
    expect(host.address(a)).toBe(BASE_ADDRESS);
    expect(host.address(b) % (1n << 20n)).toBe(0n);
    expect(host.address(c)).toBe(host.address(b) + 4096n + 4096n); // one page of hole between
    expect(host.kernelView!(host.address(a) + 8192n, 4096)).toEqual([]); // the hole is unmapped
    expect(createSimulatedHost().map(8192, 4096, Protection.ReadWrite, 0)).toBe(0); // ids restart per host
  });

  it('keeps a protection per page: each page of a mapping can differ', () => {
    const host = createSimulatedHost();
    const id = host.map(4 * 4096, 4096, Protection.NoAccess, 0);
    expect(host.protect(id, 4096, 8192, Protection.ReadWrite)).toBe(0);
    expect(host.protect(id, 8192, 4096, Protection.ReadOnly)).toBe(0);
    expect(
      host.kernelView!(host.address(id), 4 * 4096).map((range) => [Number(range.end - range.start), range.permissions]),
    ).toEqual([
      [4096, '---p'],
      [4096, 'rw-p'],
      [4096, 'r--p'],
      [4096, '---p'],
    ]);
    expect(host.usage().vmas).toBe(4);
  });

  it('refuses an unaligned mprotect or madvise start (EINVAL) and rounds the length up', () => {
    const host = createSimulatedHost();
    const id = host.map(3 * 4096, 4096, Protection.ReadWrite, 0);
    expect(host.protect(id, 100, 4096, Protection.ReadOnly)).toBe(EINVAL);
    expect(host.advise(id, 100, 4096, 1)).toBe(EINVAL);
    expect(host.protect(id, 0, 1, Protection.ReadOnly)).toBe(0);
    expect(host.kernelView!(host.address(id), 4096)[0]).toMatchObject({
      permissions: 'r--p',
      end: host.address(id) + 4096n,
    });
  });

  it('applies a change up to the end of the mapping and answers ENOMEM for the hole past it, as mprotect does', () => {
    const host = createSimulatedHost();
    const id = host.map(2 * 4096, 4096, Protection.ReadWrite, 0);
    expect(host.protect(id, 4096, 3 * 4096, Protection.NoAccess)).toBe(ENOMEM);
    expect(host.kernelView!(host.address(id), 2 * 4096).map((range) => range.permissions)).toEqual(['rw-p', '---p']);
    expect(host.protect(id, 2 * 4096, 4096, Protection.NoAccess)).toBe(ENOMEM); // starts in the hole
    expect(host.lock(id, 0, 3 * 4096)).toBe(ENOMEM);
    expect(host.usage().lockedBytes).toBe(2 * 4096); // the mapped part was locked
    expect(host.unlock(id, 0, 3 * 4096)).toBe(ENOMEM);
    expect(host.usage().lockedBytes).toBe(0);
  });

  it('counts the lock limit in pages, as RLIMIT_MEMLOCK is: N pages fit, page N + 1 is ENOMEM', () => {
    const { host, mem } = simulated({ memlockLimit: 3 * 4096 + 100 }); // rounds down to 3 pages
    const regions = [0, 1, 2].map(() => mem.allocate(16, 8, ReadWrite, Secure));
    const error = expectCode(() => mem.allocate(16, 8, ReadWrite, Secure), 'LOCK_FAILED');
    expect(error).toMatchObject({ syscall: 'mlock', errnoName: 'ENOMEM', errno: ENOMEM });
    expect(host.memlockStatus()).toEqual({ soft: 3 * 4096 + 100, hard: 3 * 4096 + 100, lockedBytes: 3 * 4096 });
    mem.free(regions[0]);
    regions[0] = mem.allocate(16, 8, ReadWrite, Secure); // freeing gave its page back
    for (const region of regions) mem.free(region);
    expectNothingLeft(host, mem);
  });

  it(
    'refuses every lock with EPERM when the limit is 0 (no ' +
      'CAP_IPC_LOCK), and best effort then gives an unlocked region',
    () => {
      const { mem } = simulated({ memlockLimit: 0 });
      expect(expectCode(() => mem.allocate(16, 8, ReadWrite, Secure), 'LOCK_FAILED')).toMatchObject({
        errnoName: 'EPERM',
        errno: 1,
      });
      const region = mem.allocate(16, 8, ReadWrite, Secure, { lock: 'bestEffort' });
      expect(region.locked).toBe(false);
      expect(mem.inspect(region).lockRequested).toBe(true);
    },
  );

  it('counts an mlock of NoAccess pages as locked although it fails with ENOMEM, as Linux does', () => {
    const host = createSimulatedHost();
    const id = host.map(2 * 4096, 4096, Protection.NoAccess, 0);
    expect(host.lock(id, 0, 2 * 4096)).toBe(ENOMEM);
    expect(host.usage().lockedBytes).toBe(2 * 4096);
    expect(host.kernelView!(host.address(id), 4096)[0].flags).toContain('lo');
  });

  it('counts VMAs as the kernel splits them: a Secure region is 3, whatever its protection and lock', () => {
    const { host, mem } = simulated();
    const region = mem.allocate(100, 8, ReadWrite, Secure);
    expect(host.usage().vmas).toBe(3);
    mem.protect(region, NoAccess);
    mem.unlock(region);
    expect(host.usage().vmas).toBe(3);
    mem.allocate(100, 8, ReadWrite, Regular);
    expect(host.usage().vmas).toBe(4);
  });

  it('refuses a split past maxMappings: ENOMEM from mmap or mprotect, EAGAIN from madvise, nothing left behind', () => {
    const { host, mem } = simulated({ maxMappings: 10 });
    const held = [0, 1, 2].map(() => mem.allocate(16, 8, ReadWrite, Secure)); // 9 VMAs
    // The 4th: mmap makes 10, opening the data pages would make 12.
    const error = expectCode(() => mem.allocate(16, 8, ReadWrite, Secure), 'ALLOCATION_FAILED');
    expect(error).toMatchObject({ syscall: 'mprotect', errnoName: 'ENOMEM' });
    expect(error.message).toMatch(/out of memory or mappings \(vm\.max_map_count\)/);
    expect(host.usage().vmas).toBe(9);
    mem.allocate(16, 8, ReadWrite, Regular); // one more VMA still fits
    expect(expectCode(() => mem.allocate(16, 8, ReadWrite, Regular), 'ALLOCATION_FAILED')).toMatchObject({
      syscall: 'mmap',
      errnoName: 'ENOMEM',
    });
    const raw = createSimulatedHost({ maxMappings: 1 });
    const id = raw.map(2 * 4096, 4096, Protection.ReadWrite, 0);
    expect(raw.advise(id, 0, 4096, 1)).toBe(EAGAIN); // madvise reports the split failure as EAGAIN
    expect(raw.advise(id, 0, 2 * 4096, 1)).toBe(0); // the whole mapping: no split needed
    for (const region of held) mem.free(region);
  });

  it('maps explicit huge pages only when the machine has them, and never splits one', () => {
    expect(createSimulatedHost().map(2 << 20, 2 << 20, Protection.ReadWrite, 1)).toBe(-ENOMEM);
    const host = createSimulatedHost({ capabilities: { explicitHugePages: true } });
    const id = host.map(100, 4096, Protection.ReadWrite, 1);
    expect(host.address(id) % (2n << 20n)).toBe(0n);
    expect(host.usage().mappedBytes).toBe(2 << 20); // rounded up to a huge page
    expect(host.lock(id, 0, 2 << 20)).toBe(0);
    expect(host.usage().lockedBytes).toBe(0); // huge pages are never swapped: mlock does not count them
    expect(host.protect(id, 0, 4096, Protection.NoAccess)).toBe(EINVAL);
    expect(host.protect(id, 0, 2 << 20, Protection.NoAccess)).toBe(0);
    expect(host.kernelView!(host.address(id), 1)[0].flags).toEqual(['mr', 'mw', 'me', 'de', 'ht']);
  });

  it('gives LargePage regions explicit huge pages when reserved, each guard a whole huge page', () => {
    const { mem } = simulated({ capabilities: { explicitHugePages: true } });
    const info = mem.inspect(mem.allocate(100, 8, ReadWrite, LargePage));
    expect(info).toMatchObject({ pageKind: 'explicit-huge', pageSize: 2 << 20, hugePagesAdvised: false });
    const secure = mem.inspect(mem.allocateWithGuardPages(100, 1, 1, 8, { type: LargePage }));
    expect(secure.guards.map((guard) => guard.length)).toEqual([2 << 20, 2 << 20]);
  });

  it('refuses advice the machine lacks with EINVAL, as madvise does', () => {
    const host = createSimulatedHost({ capabilities: { dontDump: false, transparentHugePages: false } });
    const id = host.map(4096, 4096, Protection.ReadWrite, 0);
    expect(host.advise(id, 0, 4096, 1)).toBe(EINVAL);
    expect(host.advise(id, 0, 4096, 3)).toBe(EINVAL);
    expect(host.advise(id, 0, 4096, 2)).toBe(0);
    expect(host.advise(id, 0, 4096, 9 as never)).toBe(EINVAL);
  });

  it('refuses a mapping past 1 GiB or past the address space with ENOMEM, the same on every runtime', () => {
    const host = createSimulatedHost();
    expect(host.map(MAX_MAPPING_BYTES + 4096, 4096, Protection.NoAccess, 0)).toBe(-ENOMEM);
    expect(host.map(MAX_MAPPING_BYTES, 1 << 30, Protection.NoAccess, 0)).toBeGreaterThanOrEqual(0);
    expect(ADDRESS_LIMIT).toBe(1n << 47n);
    expect(host.map(0, 4096, Protection.ReadWrite, 0)).toBe(-EINVAL);
    expect(host.map(4096, 3, Protection.ReadWrite, 0)).toBe(-EINVAL);
    expect(host.map(4096, 4096, 9 as never, 0)).toBe(-EINVAL);
    expect(host.usage().mappings).toBe(1);
  });

  it('reports locking as unsupported where the machine cannot lock, without faking it', () => {
    const { mem } = simulated({ capabilities: { lock: false } });
    expect(expectCode(() => mem.allocate(16, 8, ReadWrite, Secure), 'NOT_SUPPORTED').message).toMatch(/bestEffort/);
    const region = mem.allocate(16, 8, ReadWrite, Secure, { lock: 'bestEffort' });
    expect(region.locked).toBe(false);
    expectCode(() => mem.lock(region), 'NOT_SUPPORTED');
  });
});
