// Every protection level and allocation type, as the kernel shows it in /proc/self/smaps, and
// which of write/read each level allows.
import { describe, expect, it } from 'vitest';
import { AllocationType, MemoryProtectionLevel, PlatformMemory, type Region } from '../../src/index.js';
import {
  PERMS,
  entryAt,
  expectedLargePages,
  overlapping,
  readMaps,
  readSmaps,
  vmLockedBytes,
} from '../helpers/kernel.js';
import { codeOf } from '../helpers/errors.js';

const LEVELS = Object.values(MemoryProtectionLevel);
const WRITABLE = new Set<string>(['ReadWrite', 'ReadWriteExecute']);
const READABLE = new Set<string>(['ReadOnly', 'ReadWrite', 'ReadExecute', 'ReadWriteExecute']);

/** The perms of every smaps entry covering the region's data pages. */
function dataPerms(region: Region): string[] {
  const { dataPages } = PlatformMemory.inspect(region);
  return overlapping(readSmaps(), dataPages.address, dataPages.length).map((entry) => entry.perms);
}

describe('protection levels in /proc/self/smaps', () => {
  it.each(LEVELS)('a Regular region allocated %s shows the matching perms', (level) => {
    const region = PlatformMemory.allocate(4096, 8, level, AllocationType.Regular);
    expect(dataPerms(region)).toEqual([PERMS[level]]);
    expect(region.protection).toBe(level);
    PlatformMemory.free(region);
  });

  it.each(LEVELS)(
    'a Secure region allocated %s shows the matching perms, is locked, and keeps ---p guards',
    (level) => {
      const region = PlatformMemory.allocate(100, 4, level, AllocationType.Secure);
      const info = PlatformMemory.inspect(region);
      const smaps = readSmaps();
      const data = entryAt(smaps, info.dataPages.address)!;
      expect(data.perms).toBe(PERMS[level]);
      expect([...data.flags].filter((flag) => ['lo', 'dd', 'dc'].includes(flag)).sort()).toEqual(['dc', 'dd', 'lo']);
      expect(data.lockedBytes).toBe(info.dataPages.length);
      for (const guard of info.guards) {
        expect(overlapping(smaps, guard.address, guard.length).map((entry) => entry.perms)).toEqual([PERMS.NoAccess]);
      }
      PlatformMemory.free(region);
    },
  );

  it('protect() walks one region through all six levels and smaps follows each step', () => {
    const region = PlatformMemory.allocate(8192, 16, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    for (const level of [...LEVELS, ...LEVELS.slice().reverse()]) {
      PlatformMemory.protect(region, level);
      expect(dataPerms(region)).toEqual([PERMS[level]]);
      expect(PlatformMemory.inspect(region).protection).toBe(level);
    }
    PlatformMemory.free(region);
  });

  it.each(LEVELS)(
    'at %s, write and read are allowed exactly where the protection allows them, and the process survives',
    (level) => {
      const region = PlatformMemory.allocate(64, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
      PlatformMemory.write(region, new Uint8Array(64).fill(0x5a));
      PlatformMemory.protect(region, level);

      const writeCode = codeOf(() => PlatformMemory.write(region, new Uint8Array([1, 2]), 62));
      const readCode = codeOf(() => PlatformMemory.read(region, 0, 2));
      expect(writeCode).toBe(WRITABLE.has(level) ? undefined : 'ACCESS_DENIED');
      expect(readCode).toBe(READABLE.has(level) ? undefined : 'ACCESS_DENIED');

      PlatformMemory.protect(region, MemoryProtectionLevel.ReadWrite);
      const tail = WRITABLE.has(level) ? [1, 2] : [0x5a, 0x5a];
      expect([...PlatformMemory.read(region, 60)]).toEqual([0x5a, 0x5a, ...tail]);
      PlatformMemory.free(region);
    },
  );
});

describe('LargePage on this machine', () => {
  const expected = expectedLargePages();

  it(`gets ${expected.pageKind} pages, as /proc/meminfo and the THP mode say it must, and smaps agrees`, () => {
    const region = PlatformMemory.allocate(4096, 8, MemoryProtectionLevel.ReadWrite, AllocationType.LargePage);
    const info = PlatformMemory.inspect(region);
    expect(info.pageKind).toBe(expected.pageKind);
    expect(info.pageSize).toBe(expected.pageSize);
    expect(info.hugePagesAdvised).toBe(expected.pageKind === 'transparent-huge');
    // Protection and mapping follow the page size in use: whole huge pages, huge-page aligned.
    expect(info.dataPages.address % BigInt(expected.pageSize)).toBe(0n);
    expect(info.dataPages.length % expected.pageSize).toBe(0);

    const entry = entryAt(readSmaps(), info.data.address)!;
    expect(entry.perms).toBe(PERMS.ReadWrite);
    if (expected.pageKind === 'transparent-huge') expect(entry.flags.has('hg')).toBe(true);
    if (expected.pageKind === 'explicit-huge') {
      expect(entry.flags.has('ht')).toBe(true);
      expect(entry.kernelPageSize).toBe(expected.pageSize);
    }
    if (expected.pageKind === 'normal') expect(entry.flags.has('hg') || entry.flags.has('ht')).toBe(false);

    PlatformMemory.write(region, new Uint8Array([7]), 4095);
    PlatformMemory.protect(region, MemoryProtectionLevel.ReadOnly);
    expect(overlapping(readSmaps(), info.dataPages.address, info.dataPages.length).map((e) => e.perms)).toEqual([
      PERMS.ReadOnly,
    ]);
    expect([...PlatformMemory.read(region, 4094)]).toEqual([0, 7]);
    PlatformMemory.free(region);
    expect(overlapping(readMaps(), info.mapping.address, info.mapping.length)).toEqual([]);
  });

  it('locks its data pages when asked, and VmLck grows by exactly the data pages', () => {
    const before = vmLockedBytes();
    const region = PlatformMemory.allocate(3 * 4096, 8, MemoryProtectionLevel.ReadWrite, AllocationType.LargePage);
    const info = PlatformMemory.inspect(region);
    PlatformMemory.lock(region);
    expect(vmLockedBytes() - before).toBe(info.dataPages.length);
    expect(entryAt(readSmaps(), info.data.address)!.flags.has('lo')).toBe(true);
    PlatformMemory.free(region);
    expect(vmLockedBytes()).toBe(before);
  });
});
