// Canaries: the slack around the data (inside the data pages) holds a pattern drawn from the
// host's random source, written at allocation and compared in full at free. On the simulated host
// the pattern follows from the seed, and raw access plays the native code that damages it.
import { describe, expect, it } from 'vitest';
import { AllocationType, MemoryProtectionLevel } from '../../src/index.js';
import { SimulatedFaultError, createSimulatedHost } from '../../src/testing.js';
import { PAGE_SIZES, expectCode, simulated } from '../simulated/fixtures.js';

const { ReadWrite, NoAccess } = MemoryProtectionLevel;
const { Secure } = AllocationType;

/** The canary a core draws at start: the first 16 random bytes of the seed's stream. */
function canaryOf(seed: number): Uint8Array {
  const bytes = new Uint8Array(16);
  createSimulatedHost({ seed }).randomBytes(bytes);
  return bytes;
}

describe.each(PAGE_SIZES)('canaries, %i-byte pages', (pageSize) => {
  it('the slack in front of and behind the data holds the pattern, lined up on the page', () => {
    const { host, mem } = simulated({ pageSize, seed: 7 });
    const region = mem.allocate(33, 16, ReadWrite, Secure);
    const info = mem.inspect(region);
    const front = host.raw.read(info.dataPages.address, Number(info.data.address - info.dataPages.address));
    const backStart = info.data.address + 33n;
    const back = host.raw.read(backStart, Number(info.dataPages.address + BigInt(info.dataPages.length) - backStart));
    expect(back.length).toBe(15); // 33 bytes aligned to 16 leave 15 behind
    const pattern = canaryOf(7);
    expect(front).toEqual(Uint8Array.from(front, (_, i) => pattern[i & 15]));
    const backOffset = Number(backStart - info.dataPages.address);
    expect(back).toEqual(Uint8Array.from(back, (_, i) => pattern[(backOffset + i) & 15]));
    expect(new Set(pattern).size).toBeGreaterThan(1); // not a constant fill
    mem.free(region);
  });

  it('the same seed gives the same canary, another seed another', () => {
    const slack = (seed: number) => {
      const { host, mem } = simulated({ pageSize, seed });
      const info = mem.inspect(mem.allocate(32, 8, ReadWrite, Secure));
      return host.raw.read(info.dataPages.address, 64);
    };
    expect(slack(1)).toEqual(slack(1));
    expect(slack(1)).not.toEqual(slack(2));
  });

  it('a one-byte overflow into the back slack is CANARY_CORRUPTED, reported after wiping and unmapping', () => {
    const { host, mem } = simulated({ pageSize });
    const region = mem.allocate(33, 16, ReadWrite, Secure);
    const info = mem.inspect(region);
    host.raw.write(info.data.address + 33n, new Uint8Array([0x00])); // one past the end
    const error = expectCode(() => mem.free(region), 'CANARY_CORRUPTED');
    expect(error.message).toMatch(/wiped and unmapped/);
    expect(region.freed).toBe(true);
    expect(host.usage().mappings).toBe(0);
    expect(host.unmapped().at(-1)).toMatchObject({ nonZeroBytes: 0 });
  });

  it('damage anywhere in a long slack is found, even at the far end of it', () => {
    for (const where of ['first byte', 'middle', 'last byte']) {
      const { host, mem } = simulated({ pageSize });
      // align = page / 2: the data starts half a page in, behind a slack of several 4 KiB chunks at 64 KiB.
      const region = mem.allocate(100, pageSize / 2, ReadWrite, Secure);
      const info = mem.inspect(region);
      const slack = Number(info.data.address - info.dataPages.address);
      expect(slack).toBe(pageSize / 2);
      const offset = where === 'first byte' ? 0 : where === 'middle' ? slack >> 1 : slack - 1;
      const address = info.dataPages.address + BigInt(offset);
      const original = host.raw.read(address, 1)[0];
      host.raw.write(address, new Uint8Array([original ^ 0x01]));
      expectCode(() => mem.free(region), 'CANARY_CORRUPTED');
    }
  });

  it('an intact canary frees cleanly (the control for the damage cases)', () => {
    const { mem } = simulated({ pageSize });
    const region = mem.allocate(100, pageSize / 2, ReadWrite, Secure);
    mem.write(region, new Uint8Array(100).fill(0xff)); // writing all the data touches no canary
    expect(() => mem.free(region)).not.toThrow();
  });

  it('damage is found in a region that is NoAccess at free', () => {
    const { host, mem } = simulated({ pageSize });
    const region = mem.allocate(33, 16, ReadWrite, Secure);
    const info = mem.inspect(region);
    host.raw.write(info.data.address - 1n, new Uint8Array([0x42]));
    mem.protect(region, NoAccess);
    expectCode(() => mem.free(region), 'CANARY_CORRUPTED');
  });

  it('an overflow that runs past the data into the guard page faults at the guard, after writing up to it', () => {
    const { host, mem } = simulated({ pageSize });
    const region = mem.allocate(64, 1, ReadWrite, Secure); // align 1: the data ends at the guard
    const info = mem.inspect(region);
    const guard = info.guards.find((range) => range.position === 'after')!;
    let fault: unknown;
    try {
      host.raw.write(info.data.address, new Uint8Array(65).fill(0xee));
    } catch (error) {
      fault = error;
    }
    expect(fault).toBeInstanceOf(SimulatedFaultError);
    expect(fault).toMatchObject({
      code: 'SIMULATED_FAULT',
      address: guard.address,
      protection: 'NoAccess',
      access: 'write',
    });
    expect(mem.read(region)).toEqual(new Uint8Array(64).fill(0xee)); // the 64 bytes before the guard landed
    expect(() => mem.free(region)).not.toThrow(); // no slack behind, so no canary was hit
  });
});
