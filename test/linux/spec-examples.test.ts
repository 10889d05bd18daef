// The specification's five usage examples (spec/cross-platform-memory-protection.md), in
// TypeScript, each checked against what the kernel reports in /proc/self/smaps.
import { describe, expect, it } from 'vitest';
import { AllocationType, MemoryProtectionError, MemoryProtectionLevel, PlatformMemory } from '../../src/index.js';
import { PERMS, dontDumpEntries, entryAt, overlapping, readMaps, readSmaps, vmLockedBytes } from '../helpers/kernel.js';

const { ReadWrite, ReadOnly } = MemoryProtectionLevel;
const size = 4096;

/** The smaps entries covering a region's data, which must all have `perms`. */
function expectDataPerms(info: ReturnType<typeof PlatformMemory.inspect>, perms: string) {
  const entries = overlapping(readSmaps(), info.data.address, info.data.length);
  expect(entries.length).toBeGreaterThan(0);
  for (const entry of entries) expect(entry.perms).toBe(perms);
  return entries;
}

function expectUnmapped(address: bigint, length: number) {
  expect(overlapping(readMaps(), address, length)).toEqual([]);
}

describe('the specification examples, against /proc/self/smaps', () => {
  it(
    '1. basic allocation: 4 KiB of read-write memory is mapped ' +
      'rw-p, holds what is written, and is gone after free',
    () => {
      const region = PlatformMemory.allocate(size, 8, ReadWrite, AllocationType.Regular);
      const info = PlatformMemory.inspect(region);
      expect(info.data.length).toBe(size);
      expect(info.data.address % 8n).toBe(0n);
      expectDataPerms(info, PERMS.ReadWrite);

      PlatformMemory.write(region, new Uint8Array(size).fill(0xaa));
      expect(PlatformMemory.read(region)).toEqual(new Uint8Array(size).fill(0xaa));

      PlatformMemory.free(region);
      expectUnmapped(info.mapping.address, info.mapping.length);
    },
  );

  it(
    '2. guard pages: the data sits between two ---p guard ' + 'pages, exactly, and freeGuardedMemory unmaps all three',
    () => {
      const page = PlatformMemory.pageSize();
      const region = PlatformMemory.allocateWithGuardPages(size, 1, 1, 8);
      const info = PlatformMemory.inspect(region);
      const smaps = readSmaps();

      const [before, after] = info.guards;
      expect(before).toMatchObject({ position: 'before', length: page, address: info.mapping.address });
      expect(after).toMatchObject({ position: 'after', length: page });
      for (const guard of info.guards) {
        for (const entry of overlapping(smaps, guard.address, guard.length)) expect(entry.perms).toBe(PERMS.NoAccess);
      }
      // The kernel's own bounds: the data's entry starts where the leading guard ends and ends
      // where the trailing guard starts (4096 bytes fill the page, so no slack on either side).
      const dataEntry = entryAt(smaps, info.data.address)!;
      expect(dataEntry.perms).toBe(PERMS.ReadWrite);
      expect(dataEntry.start).toBe(info.data.address);
      expect(dataEntry.end).toBe(info.data.address + BigInt(size));
      expect(entryAt(smaps, dataEntry.start - 1n)!.perms).toBe(PERMS.NoAccess);
      expect(entryAt(smaps, dataEntry.end)!.perms).toBe(PERMS.NoAccess);

      PlatformMemory.write(region, new Uint8Array(size).fill(0xbb));
      expect(PlatformMemory.read(region)).toEqual(new Uint8Array(size).fill(0xbb));

      PlatformMemory.freeGuardedMemory(region);
      expectUnmapped(info.mapping.address, info.mapping.length);
    },
  );

  it('3. protection change: ReadOnly shows r--p and refuses writes, ReadWrite shows rw-p again', () => {
    const region = PlatformMemory.allocate(size, 8, ReadWrite, AllocationType.Regular);
    PlatformMemory.write(region, new Uint8Array(size).fill(0xcc));

    PlatformMemory.protect(region, ReadOnly);
    const info = PlatformMemory.inspect(region);
    expect(info.protection).toBe(ReadOnly);
    expectDataPerms(info, PERMS.ReadOnly);
    expect(() => PlatformMemory.write(region, new Uint8Array([1]))).toThrow(
      expect.objectContaining({ code: 'ACCESS_DENIED' }),
    );
    expect(PlatformMemory.read(region)).toEqual(new Uint8Array(size).fill(0xcc));

    PlatformMemory.protect(region, ReadWrite);
    expectDataPerms(PlatformMemory.inspect(region), PERMS.ReadWrite);
    PlatformMemory.write(region, new Uint8Array([1]), size - 1);
    expect(PlatformMemory.read(region, size - 2)).toEqual(new Uint8Array([0xcc, 1]));

    PlatformMemory.free(region);
    expectUnmapped(info.mapping.address, info.mapping.length);
  });

  it('4. locking: lock shows lo and Locked 4 kB in smaps and raises VmLck by 4 kB; unlock takes both back', () => {
    const region = PlatformMemory.allocate(size, 8, ReadWrite, AllocationType.Regular);
    const info = PlatformMemory.inspect(region);
    const lockedBefore = vmLockedBytes();
    expect(entryAt(readSmaps(), info.data.address)!.flags.has('lo')).toBe(false);

    PlatformMemory.lock(region);
    const locked = entryAt(readSmaps(), info.data.address)!;
    expect(locked.flags.has('lo')).toBe(true);
    expect(locked.lockedBytes).toBeGreaterThanOrEqual(size);
    expect(vmLockedBytes() - lockedBefore).toBe(size);
    expect(region.locked).toBe(true);
    expect(PlatformMemory.inspect(region).locked).toBe(true);

    PlatformMemory.write(region, new Uint8Array(size).fill(0xdd));
    expect(PlatformMemory.read(region)).toEqual(new Uint8Array(size).fill(0xdd));

    PlatformMemory.unlock(region);
    const unlocked = entryAt(readSmaps(), info.data.address)!;
    expect(unlocked.flags.has('lo')).toBe(false);
    expect(vmLockedBytes()).toBe(lockedBefore);
    expect(region.locked).toBe(false);

    PlatformMemory.free(region);
    expectUnmapped(info.mapping.address, info.mapping.length);
  });

  it('5. secure clearing: secureClear turns the 0xEE bytes just read back into zeros', () => {
    const region = PlatformMemory.allocate(size, 8, ReadWrite, AllocationType.Regular);
    PlatformMemory.write(region, new Uint8Array(size).fill(0xee));
    expect(PlatformMemory.read(region)).toEqual(new Uint8Array(size).fill(0xee)); // control: the read sees the bytes

    PlatformMemory.secureClear(region);
    expect(PlatformMemory.read(region)).toEqual(new Uint8Array(size));
    expectDataPerms(PlatformMemory.inspect(region), PERMS.ReadWrite);

    PlatformMemory.free(region);
  });

  it(
    'a Secure allocation is guarded ---p on both sides, locked (lo, Locked), ' +
      'dump- and fork-excluded (dd, dc), and placed against the trailing guard',
    () => {
      const page = PlatformMemory.pageSize();
      const lockedBefore = vmLockedBytes();
      const dumpExcludedBefore = dontDumpEntries().length;
      const region = PlatformMemory.allocate(32, 8, ReadWrite, AllocationType.Secure);
      const info = PlatformMemory.inspect(region);
      expect(info).toMatchObject({
        locked: true,
        lockRequested: true,
        dumpExcluded: true,
        forkExcluded: true,
        canary: true,
      });
      const smaps = readSmaps();

      const data = entryAt(smaps, info.data.address)!;
      expect(data.perms).toBe(PERMS.ReadWrite);
      for (const flag of ['lo', 'dd', 'dc']) expect(data.flags.has(flag)).toBe(true);
      expect(data.lockedBytes).toBe(page);
      expect(vmLockedBytes() - lockedBefore).toBe(page);
      // The data's 32 bytes end exactly where the kernel's data entry ends and the guard begins.
      expect(info.data.address + 32n).toBe(data.end);
      expect(data.end - data.start).toBe(BigInt(page));

      expect(info.guards.map((guard) => guard.position)).toEqual(['before', 'after']);
      for (const guard of info.guards) {
        const entries = overlapping(smaps, guard.address, guard.length);
        for (const entry of entries) {
          expect(entry.perms).toBe(PERMS.NoAccess);
          expect(entry.flags.has('dd') && entry.flags.has('dc')).toBe(true);
          expect(entry.flags.has('lo')).toBe(false);
        }
      }
      expect(entryAt(smaps, data.start - 1n)!.perms).toBe(PERMS.NoAccess);
      expect(entryAt(smaps, data.end)!.perms).toBe(PERMS.NoAccess);

      expect(dontDumpEntries().length).toBeGreaterThan(dumpExcludedBefore);

      PlatformMemory.free(region);
      expectUnmapped(info.mapping.address, info.mapping.length);
      expect(vmLockedBytes()).toBe(lockedBefore);
      expect(dontDumpEntries().length).toBe(dumpExcludedBefore);
    },
  );

  it('errors of the examples are MemoryProtectionError instances', () => {
    const region = PlatformMemory.allocate(size, 8, ReadWrite, AllocationType.Regular);
    PlatformMemory.free(region);
    let caught: unknown;
    try {
      PlatformMemory.free(region);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MemoryProtectionError);
    expect((caught as MemoryProtectionError).code).toBe('DOUBLE_FREE');
  });
});
