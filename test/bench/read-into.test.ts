// readInto: the allocation-free read the benchmark asked for (a new 1 MiB array per read costs
// twenty times the copy). It fills the caller's array from the region, with the same checks as read.
import { describe, expect, it } from 'vitest';
import { AllocationType, MemoryProtectionLevel, PlatformMemory } from '../../src/index.js';
import { codeOf } from '../helpers/errors.js';

const pattern = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 7 + 1) & 0xff);

describe('readInto', () => {
  it('fills the whole target with the bytes at the offset, for a Uint8Array and a Buffer alike', () => {
    const region = PlatformMemory.allocate(300, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    PlatformMemory.write(region, pattern(300));
    const target = new Uint8Array(40);
    PlatformMemory.readInto(region, target, 250);
    expect(target).toEqual(pattern(300).subarray(250, 290));
    const buffer = Buffer.alloc(300);
    PlatformMemory.readInto(region, buffer);
    expect(new Uint8Array(buffer)).toEqual(pattern(300));
    expect(PlatformMemory.read(region, 250, 40)).toEqual(target); // the same bytes read() returns
    PlatformMemory.free(region);
  });

  it('reads up to the last byte, and a target past the end is OUT_OF_BOUNDS with the target untouched', () => {
    const region = PlatformMemory.allocate(64, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
    PlatformMemory.write(region, pattern(64));
    const last = new Uint8Array(4);
    PlatformMemory.readInto(region, last, 60);
    expect(last).toEqual(pattern(64).subarray(60));

    const tooLong = new Uint8Array(5).fill(0xee);
    expect(codeOf(() => PlatformMemory.readInto(region, tooLong, 60))).toBe('OUT_OF_BOUNDS');
    expect(tooLong).toEqual(new Uint8Array(5).fill(0xee));
    expect(codeOf(() => PlatformMemory.readInto(region, new Uint8Array(1), 65))).toBe('OUT_OF_BOUNDS');
    expect(codeOf(() => PlatformMemory.readInto(region, new Uint8Array(1), -1))).toBe('OUT_OF_BOUNDS');
    PlatformMemory.free(region);
  });

  it('is ACCESS_DENIED on a NoAccess region, and reads once the region is readable again', () => {
    const region = PlatformMemory.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    PlatformMemory.write(region, pattern(32));
    PlatformMemory.protect(region, MemoryProtectionLevel.NoAccess);
    const target = new Uint8Array(32);
    expect(codeOf(() => PlatformMemory.readInto(region, target))).toBe('ACCESS_DENIED');
    expect(target).toEqual(new Uint8Array(32));
    PlatformMemory.protect(region, MemoryProtectionLevel.ReadOnly);
    PlatformMemory.readInto(region, target);
    expect(target).toEqual(pattern(32));
    PlatformMemory.free(region);
  });

  it('refuses a target that is not a Uint8Array (INVALID_ARGUMENT) and a freed region (USE_AFTER_FREE)', () => {
    const region = PlatformMemory.allocate(16, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
    for (const bad of [null, undefined, 'bytes', [1, 2], new Uint16Array(4), new ArrayBuffer(4)]) {
      expect(codeOf(() => PlatformMemory.readInto(region, bad as unknown as Uint8Array))).toBe('INVALID_ARGUMENT');
    }
    PlatformMemory.free(region);
    expect(codeOf(() => PlatformMemory.readInto(region, new Uint8Array(1)))).toBe('USE_AFTER_FREE');
  });
});
