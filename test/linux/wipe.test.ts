// Secrets are wiped: secureClear zeroes the data whatever the protection (opening closed pages
// for the wipe and closing them again, as smaps shows), and free() of a closed Secure region
// opens, wipes and unmaps it.
import { describe, expect, it } from 'vitest';
import { AllocationType, MemoryProtectionLevel, PlatformMemory } from '../../src/index.js';
import { PERMS, entryAt, overlapping, readMaps, readSmaps, vmLockedBytes } from '../helpers/kernel.js';

const LEVELS = Object.values(MemoryProtectionLevel);
const secret = (size: number) => Uint8Array.from({ length: size }, (_, i) => 0x80 | (i & 0x7f)); // no zero byte

describe('secureClear', () => {
  it.each(LEVELS)('zeroes every data byte of a Secure region at %s, and leaves its protection as it was', (level) => {
    const size = 200;
    const region = PlatformMemory.allocate(size, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    PlatformMemory.write(region, secret(size));
    expect(PlatformMemory.read(region)).toEqual(secret(size)); // control: the secret is there and readable
    PlatformMemory.protect(region, level);

    PlatformMemory.secureClear(region);
    const { data } = PlatformMemory.inspect(region);
    expect(entryAt(readSmaps(), data.address)!.perms).toBe(PERMS[level]);
    expect(region.protection).toBe(level);

    PlatformMemory.protect(region, MemoryProtectionLevel.ReadWrite);
    expect(PlatformMemory.read(region)).toEqual(new Uint8Array(size));
    PlatformMemory.free(region); // the canary slack was not touched: no CANARY_CORRUPTED
  });

  it('zeroes a Regular region in full, and it can be reused afterwards', () => {
    const size = 3 * 4096 + 5;
    const region = PlatformMemory.allocate(size, 16, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
    PlatformMemory.write(region, secret(size));
    PlatformMemory.secureClear(region);
    expect(PlatformMemory.read(region)).toEqual(new Uint8Array(size));
    PlatformMemory.write(region, new Uint8Array([9]), size - 1);
    expect(PlatformMemory.read(region, size - 2)).toEqual(new Uint8Array([0, 9]));
    PlatformMemory.free(region);
  });
});

describe('free of a closed Secure region', () => {
  it.each([MemoryProtectionLevel.NoAccess, MemoryProtectionLevel.ReadOnly, MemoryProtectionLevel.Execute])(
    'works at %s: no error, the whole mapping is gone from smaps, and VmLck is back',
    (level) => {
      const lockedBefore = vmLockedBytes();
      const region = PlatformMemory.allocate(64, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
      PlatformMemory.write(region, secret(64));
      PlatformMemory.protect(region, level);
      const { mapping, data } = PlatformMemory.inspect(region);
      expect(entryAt(readSmaps(), data.address)!.perms).toBe(PERMS[level]);
      expect(vmLockedBytes()).toBeGreaterThan(lockedBefore);

      PlatformMemory.free(region);
      expect(region.freed).toBe(true);
      expect(overlapping(readMaps(), mapping.address, mapping.length)).toEqual([]);
      expect(vmLockedBytes()).toBe(lockedBefore);
    },
  );
});
