// Handles and generations: a Region names (slot, generation); freeing moves the slot's generation
// on, so an old handle is recognised as freed forever, even after its slot is reused. Run on the
// simulated host at 4, 16 and 64 KiB pages, where the trace shows that a refused handle never
// reaches the host.
import { describe, expect, it } from 'vitest';
import { AllocationType, MemoryProtectionLevel, Region, type PlatformMemory } from '../../src/index.js';
import { PAGE_SIZES, expectCode, simulated } from '../simulated/fixtures.js';

const { ReadWrite, ReadOnly } = MemoryProtectionLevel;
const { Regular, Secure } = AllocationType;

/** Every operation that takes a region, as closures. */
function operationsOn(mem: PlatformMemory, region: Region): Array<[string, () => unknown]> {
  return [
    ['read', () => mem.read(region)],
    ['write', () => mem.write(region, new Uint8Array(1))],
    ['protect', () => mem.protect(region, ReadOnly)],
    ['lock', () => mem.lock(region)],
    ['unlock', () => mem.unlock(region)],
    ['secureClear', () => mem.secureClear(region)],
    ['inspect', () => mem.inspect(region)],
  ];
}

describe.each(PAGE_SIZES)('handles and generations, %i-byte pages', (pageSize) => {
  it('after free, every operation on the region is USE_AFTER_FREE and makes no host call', () => {
    const { host, mem } = simulated({ pageSize });
    const region = mem.allocate(64, 8, ReadWrite, Secure);
    mem.free(region);
    host.clearTrace();
    for (const [name, action] of operationsOn(mem, region)) {
      const error = expectCode(action, 'USE_AFTER_FREE');
      expect(error.message, name).toMatch(/already freed/);
    }
    expect(() => region.protection).toThrow(/already freed/);
    expect(region.freed).toBe(true);
    expect(host.trace()).toEqual([]);
  });

  it('a second free is DOUBLE_FREE and makes no host call', () => {
    const { host, mem } = simulated({ pageSize });
    const region = mem.allocate(64, 8, ReadWrite, Regular);
    mem.free(region);
    host.clearTrace();
    expectCode(() => mem.free(region), 'DOUBLE_FREE');
    expectCode(() => mem.freeGuardedMemory(region), 'DOUBLE_FREE');
    expect(host.trace()).toEqual([]);
  });

  it('a reused slot gets a new generation: the old handle cannot reach the new region', () => {
    const { host, mem } = simulated({ pageSize });
    const old = mem.allocate(16, 8, ReadWrite, Regular);
    mem.free(old);
    const fresh = mem.allocate(16, 8, ReadWrite, Regular);
    mem.write(fresh, new Uint8Array(16).fill(7));
    expectCode(() => mem.write(old, new Uint8Array(16)), 'USE_AFTER_FREE');
    expect(mem.read(fresh)).toEqual(new Uint8Array(16).fill(7));
    expect(mem.stats().liveRegions).toBe(1);
    // The new region is a new mapping: the host never reuses the old one's id.
    expect(
      host
        .trace()
        .filter((entry) => entry.op === 'map')
        .map((entry) => entry.result),
    ).toEqual([0, 1]);
  });

  it('every handle of a slot reused many times stays freed', () => {
    const { mem } = simulated({ pageSize });
    const freed: Region[] = [];
    for (let i = 0; i < 300; i++) {
      const region = mem.allocate(8, 8, ReadWrite, Regular);
      mem.free(region);
      freed.push(region);
    }
    const live = mem.allocate(8, 8, ReadWrite, Regular);
    for (const region of freed) {
      expect(region.freed).toBe(true);
      expectCode(() => mem.read(region), 'USE_AFTER_FREE');
    }
    expect(live.freed).toBe(false);
    mem.free(live);
  });

  it('freeing one region leaves the others usable', () => {
    const { mem } = simulated({ pageSize });
    const regions = Array.from({ length: 5 }, (_, i) => {
      const region = mem.allocate(16, 8, ReadWrite, Secure);
      mem.write(region, new Uint8Array(16).fill(i + 1));
      return region;
    });
    mem.free(regions[2]);
    regions.forEach((region, i) => {
      if (i === 2) expectCode(() => mem.read(region), 'USE_AFTER_FREE');
      else expect(mem.read(region)).toEqual(new Uint8Array(16).fill(i + 1));
    });
    for (const region of regions) if (!region.freed) mem.free(region);
    expect(mem.stats().liveRegions).toBe(0);
  });

  it('a region of another PlatformMemory, or an object posing as one, is INVALID_ARGUMENT with no host call', () => {
    const first = simulated({ pageSize });
    const second = simulated({ pageSize });
    const foreign = first.mem.allocate(16, 8, ReadWrite, Regular);
    second.host.clearTrace();
    for (const [, action] of operationsOn(second.mem, foreign)) expectCode(action, 'INVALID_ARGUMENT');
    expectCode(() => second.mem.free(foreign), 'INVALID_ARGUMENT');
    const forged = Object.create(Region.prototype) as Region;
    for (const value of [forged, {}, null, undefined, 42]) {
      expectCode(() => second.mem.read(value as Region), 'INVALID_ARGUMENT');
    }
    expect(second.host.trace()).toEqual([]);
    expect(first.mem.read(foreign)).toEqual(new Uint8Array(16)); // the owner still reaches it
  });
});
