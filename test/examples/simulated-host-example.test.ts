// Example: testing how your code handles a lock failure, with the simulated host.
// (docs/simulated-host.md shows this file; test/simulated/docs.test.ts keeps the two identical.)
import { describe, expect, it } from 'vitest';
import {
  AllocationType,
  MemoryProtectionError,
  MemoryProtectionLevel,
  createPlatformMemory,
  type PlatformMemory,
  type Region,
} from 'memshield';
import { createSimulatedHost } from 'memshield/testing';

// The code under test: keeps a key in locked memory, and accepts unlocked memory with a warning
// when the machine refuses to lock (e.g. RLIMIT_MEMLOCK is exhausted).
function storeKey(memory: PlatformMemory, key: Uint8Array, warn: (message: string) => void): Region {
  const { ReadWrite } = MemoryProtectionLevel;
  try {
    const region = memory.allocate(key.length, 8, ReadWrite, AllocationType.Secure);
    memory.write(region, key);
    return region;
  } catch (error) {
    if (!(error instanceof MemoryProtectionError) || error.code !== 'LOCK_FAILED') throw error;
    warn(`key memory is not locked (${error.errnoName}): it may be swapped to disk`);
    const region = memory.allocate(key.length, 8, ReadWrite, AllocationType.Secure, { lock: 'bestEffort' });
    memory.write(region, key);
    return region;
  }
}

describe('storeKey', () => {
  const key = new Uint8Array(32).fill(0x42);

  it('keeps the key in locked memory when the OS allows it', () => {
    const memory = createPlatformMemory({ host: createSimulatedHost({ seed: 1 }) });
    const warnings: string[] = [];
    const region = storeKey(memory, key, (message) => warnings.push(message));
    expect(region.locked).toBe(true);
    expect(warnings).toEqual([]);
    expect(memory.read(region)).toEqual(key);
  });

  it('warns and falls back to unlocked memory when mlock fails with EPERM', () => {
    // Every mlock fails (add `nth: 3` to fail only the third one).
    const host = createSimulatedHost({ seed: 1, faults: [{ op: 'lock', errno: 'EPERM' }] });
    const memory = createPlatformMemory({ host });
    const warnings: string[] = [];
    const region = storeKey(memory, key, (message) => warnings.push(message));
    expect(warnings).toEqual(['key memory is not locked (EPERM): it may be swapped to disk']);
    expect(region.locked).toBe(false);
    expect(memory.read(region)).toEqual(key);
    // The failed attempt left nothing behind: only the fallback is mapped.
    expect(host.usage().mappings).toBe(1);
    // Freeing wipes the key before the memory goes back: every byte was zero at unmap.
    memory.free(region);
    expect(host.unmapped().at(-1)?.nonZeroBytes).toBe(0);
  });

  it('lets other failures through, such as running out of mappings', () => {
    const memory = createPlatformMemory({ host: createSimulatedHost({ faults: [{ op: 'map', errno: 'ENOMEM' }] }) });
    expect(() => storeKey(memory, key, () => {})).toThrow(
      expect.objectContaining({ code: 'ALLOCATION_FAILED', errnoName: 'ENOMEM' }),
    );
  });
});
