// allocateWithGuardPages and Secure layouts as the kernel maps them: guard ranges ---p of the
// asked length, data pages between them, and the data placed against the trailing guard as
// closely as the alignment allows — checked from inspect() and, independently, from the smaps
// entry bounds.
//
//  mapping.address                                                        mapping end
//  ┌───────────────┬──────────────────────────────────────────┬───────────────┐
//  │ before × page │ slack (canary) │ data ▸ size │ gap < align │ after × page  │
//  │ ---p          │ data pages (rw-p)                          │ ---p          │
//  └───────────────┴──────────────────────────────────────────┴───────────────┘
//                                   data.address % align == 0
import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import {
  AllocationType,
  MemoryProtectionError,
  MemoryProtectionLevel,
  PlatformMemory,
  type Region,
} from '../../src/index.js';
import { PERMS, entryAt, expectedLargePages, overlapping, readMaps, readSmaps } from '../helpers/kernel.js';

const page = PlatformMemory.pageSize();

/** Checks a guarded region's layout against smaps; returns the data's address. */
function expectGuardedLayout(region: Region, before: number, after: number, align: number, granule = page): bigint {
  const info = PlatformMemory.inspect(region);
  const smaps = readSmaps();
  const size = region.size;
  const dataEnd = info.data.address + BigInt(size);

  // inspect's account.
  expect(info.data.address % BigInt(align)).toBe(0n);
  expect(info.guards.map((guard) => [guard.position, guard.length])).toEqual([
    ...(before ? [['before', before * granule]] : []),
    ...(after ? [['after', after * granule]] : []),
  ]);
  expect(info.mapping.length).toBe(before * granule + info.dataPages.length + after * granule);

  // The kernel's account: the guards are ---p, the data's entry is rw-p and contains the data.
  for (const guard of info.guards) {
    const entries = overlapping(smaps, guard.address, guard.length);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry.perms).toBe(PERMS.NoAccess);
  }
  const data = entryAt(smaps, info.data.address)!;
  expect(data.perms).toBe(PERMS.ReadWrite);
  expect(data.end).toBeGreaterThanOrEqual(dataEnd);
  if (before) {
    // A leading guard ends exactly where the kernel's data entry starts…
    expect(data.start).toBe(info.mapping.address + BigInt(before * granule));
    expect(entryAt(smaps, data.start - 1n)!.perms).toBe(PERMS.NoAccess);
  }
  // …and the data ends as close to the data pages' end as the alignment allows: the highest
  // address that is a multiple of `align` and leaves room for `size` bytes.
  const pagesEnd = after ? data.end : info.dataPages.address + BigInt(info.dataPages.length);
  if (after) {
    expect(entryAt(smaps, pagesEnd)!.perms).toBe(PERMS.NoAccess);
    expect(pagesEnd).toBe(info.guards.at(-1)!.address);
  }
  const highest = (pagesEnd - BigInt(size)) & ~BigInt(align - 1);
  expect(info.data.address).toBe(highest);
  expect(pagesEnd - dataEnd).toBeLessThan(BigInt(align));
  return info.data.address;
}

/** Writes distinct bytes at the first and last data bytes and reads them back. */
function expectEdgesRoundTrip(region: Region) {
  const size = region.size;
  PlatformMemory.write(region, new Uint8Array([0x22]), size - 1);
  PlatformMemory.write(region, new Uint8Array([0x11]), 0);
  expect(PlatformMemory.read(region, 0, 1)).toEqual(new Uint8Array([0x11]));
  if (size > 1) expect(PlatformMemory.read(region, size - 1, 1)).toEqual(new Uint8Array([0x22]));
  const pattern = Uint8Array.from({ length: size }, (_, i) => (i * 7 + 3) & 0xff);
  PlatformMemory.write(region, pattern);
  expect(PlatformMemory.read(region)).toEqual(pattern);
  expect(PlatformMemory.read(region, size)).toEqual(new Uint8Array(0));
  PlatformMemory.write(region, new Uint8Array(0), size);
}

describe('allocateWithGuardPages, against the kernel', () => {
  const cases: Array<[size: number, before: number, after: number, align: number]> = [
    [4096, 1, 1, 8],
    [1, 1, 1, 1],
    [33, 1, 1, 16],
    [100, 2, 3, 64],
    [5000, 0, 1, 8],
    [5000, 1, 0, 8],
    [4096 * 3, 4, 2, 4096],
    [100, 1, 1, 16384], // align > page: the data pages start one page in, the data 16 KiB in
    [70000, 1, 2, 65536],
    [1, 3, 1, 1 << 20],
  ];

  it.each(cases)(
    'size %i with %i page(s) before, %i after, align %i: guards ' +
      '---p, data against the trailing guard, edges round-trip',
    (size, before, after, align) => {
      const region = PlatformMemory.allocateWithGuardPages(size, before, after, align);
      expect(region.type).toBe(AllocationType.Regular);
      expectGuardedLayout(region, before, after, align);
      expectEdgesRoundTrip(region);
      const { mapping } = PlatformMemory.inspect(region);
      PlatformMemory.freeGuardedMemory(region);
      expect(overlapping(readMaps(), mapping.address, mapping.length)).toEqual([]);
    },
  );

  it.each([
    [32, 8],
    [33, 16],
    [4096, 8],
    [4097, 4096],
    [3000, 1024],
    [10, 32768],
  ])('a Secure region of %i bytes aligned to %i has the same layout, one guard page each side', (size, align) => {
    const region = PlatformMemory.allocate(size, align, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    expectGuardedLayout(region, 1, 1, align);
    expectEdgesRoundTrip(region);
    PlatformMemory.free(region);
  });

  it('Secure options on a guarded allocation: custom guard counts, locked and advised like Secure', () => {
    const region = PlatformMemory.allocateWithGuardPages(64, 2, 1, 8, {
      type: AllocationType.Secure,
      protection: MemoryProtectionLevel.ReadOnly,
    });
    const info = PlatformMemory.inspect(region);
    expect(info.guards.map((guard) => guard.length)).toEqual([2 * page, page]);
    const data = entryAt(readSmaps(), info.data.address)!;
    expect(data.perms).toBe(PERMS.ReadOnly);
    for (const flag of ['lo', 'dd', 'dc']) expect(data.flags.has(flag)).toBe(true);
    PlatformMemory.freeGuardedMemory(region);
  });

  it('guard pages of a LargePage region are whole pages of the size in use', () => {
    const expected = expectedLargePages();
    const region = PlatformMemory.allocateWithGuardPages(100, 1, 1, 8, { type: AllocationType.LargePage });
    const info = PlatformMemory.inspect(region);
    expect(info.pageSize).toBe(expected.pageSize);
    expectGuardedLayout(region, 1, 1, 8, expected.pageSize);
    PlatformMemory.freeGuardedMemory(region);
  });
});

describe('canaries in the slack', () => {
  const libc = koffi.load('libc.so.6');
  const memset = libc.func('void *memset(void *s, int c, size_t n)');

  it(
    'a byte written into the slack before the data (through a raw pointer) is ' +
      'reported at free as CANARY_CORRUPTED, and the region is still unmapped',
    () => {
      const region = PlatformMemory.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
      const info = PlatformMemory.inspect(region);
      memset(info.data.address - 1n, 0x41, 1);
      expect(() => PlatformMemory.free(region)).toThrow(expect.objectContaining({ code: 'CANARY_CORRUPTED' }));
      expect(region.freed).toBe(true);
      expect(overlapping(readMaps(), info.mapping.address, info.mapping.length)).toEqual([]);
    },
  );

  it('a byte written into the slack behind the data (align 16, 33 bytes: 15 bytes of slack) is reported too', () => {
    const region = PlatformMemory.allocate(33, 16, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    const info = PlatformMemory.inspect(region);
    memset(info.data.address + 33n, 0x41, 1);
    let caught: unknown;
    try {
      PlatformMemory.free(region);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MemoryProtectionError);
    expect((caught as MemoryProtectionError).code).toBe('CANARY_CORRUPTED');
    expect((caught as Error).message).toMatch(/wiped and unmapped/);
  });

  it('control: a region written only through write() frees without complaint', () => {
    const region = PlatformMemory.allocate(33, 16, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    PlatformMemory.write(region, new Uint8Array(33).fill(0x41));
    expect(() => PlatformMemory.free(region)).not.toThrow();
  });
});
