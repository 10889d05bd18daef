// Zeroing plans: free wipes every data page (data and canary slack) before unmapping, under any
// protection; secureClear wipes exactly the data and leaves the canary. The simulated host shows
// the bytes as they were at unmap (onUnmap) and the exact ranges each fill covered (trace).
import { describe, expect, it } from 'vitest';
import { AllocationType, MemoryProtectionLevel, type Region } from '../../src/index.js';
import type { TraceEntry, UnmapRecord } from '../../src/testing.js';
import { PAGE_SIZES, simulated } from '../simulated/fixtures.js';

const { ReadWrite, NoAccess, ReadOnly } = MemoryProtectionLevel;
const { Regular, Secure, LargePage } = AllocationType;
const SECRET = Uint8Array.from({ length: 48 }, (_, i) => 0x80 | i);

/** A simulated memory that keeps each unmapped mapping's bytes. */
function observed(pageSize: number, options = {}) {
  const unmaps: Array<{ record: UnmapRecord; bytes: Uint8Array }> = [];
  const fixture = simulated({ pageSize, ...options, onUnmap: (record, bytes) => unmaps.push({ record, bytes }) });
  return { ...fixture, unmaps };
}

/** Whether `needle` occurs in `haystack`. */
function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

const fills = (trace: TraceEntry[]) =>
  trace.filter((entry) => entry.op === 'fill').map((entry) => [entry.offset, entry.length]);

describe.each(PAGE_SIZES)('zeroing plans, %i-byte pages', (pageSize) => {
  for (const [label, allocate] of [
    ['Regular', (mem: ReturnType<typeof simulated>['mem']) => mem.allocate(100, 8, ReadWrite, Regular)],
    ['Secure', (mem: ReturnType<typeof simulated>['mem']) => mem.allocate(100, 64, ReadWrite, Secure)],
    ['LargePage', (mem: ReturnType<typeof simulated>['mem']) => mem.allocate(100, 8, ReadWrite, LargePage)],
    ['guarded', (mem: ReturnType<typeof simulated>['mem']) => mem.allocateWithGuardPages(100, 2, 1, 16)],
  ] as const) {
    it(`free wipes every byte of a ${label} region's data pages before unmap`, () => {
      const { host, mem, unmaps } = observed(pageSize);
      const region: Region = allocate(mem);
      const info = mem.inspect(region);
      mem.write(region, SECRET);
      const before = host.raw.read(info.data.address, SECRET.length);
      expect(before).toEqual(SECRET); // the control: the secret was there to be found
      host.clearTrace();
      mem.free(region);
      expect(fills(host.trace())).toEqual([
        [Number(info.dataPages.address - info.mapping.address), info.dataPages.length],
      ]);
      expect(unmaps).toHaveLength(1);
      expect(unmaps[0].record).toMatchObject({
        address: info.mapping.address,
        length: info.mapping.length,
        nonZeroBytes: 0,
      });
      expect(unmaps[0].bytes.every((byte) => byte === 0)).toBe(true);
      expect(contains(unmaps[0].bytes, SECRET)).toBe(false);
    });
  }

  it('the unmap record does see bytes left behind: a failed allocation unmaps its canary unwiped', () => {
    const { mem, unmaps } = observed(pageSize, { faults: [{ op: 'lock', nth: 1, errno: 'EPERM' }] });
    expect(() => mem.allocate(100, 64, ReadWrite, Secure)).toThrow(/mlock failed with EPERM/);
    expect(unmaps).toHaveLength(1);
    expect(unmaps[0].record.nonZeroBytes).toBeGreaterThan(0); // canary bytes, never a secret
    expect(unmaps[0].bytes.some((byte) => byte !== 0)).toBe(true);
  });

  for (const level of [NoAccess, ReadOnly]) {
    it(`free of a ${level} region opens it, wipes it and unmaps it`, () => {
      const { host, mem, unmaps } = observed(pageSize);
      const region = mem.allocate(100, 8, ReadWrite, Secure);
      mem.write(region, SECRET);
      mem.protect(region, level);
      host.clearTrace();
      mem.free(region);
      // Open, read the canary (in chunks), wipe, unmap.
      const ops = host
        .trace()
        .map((entry) => entry.op)
        .filter((op, i, all) => op !== all[i - 1]);
      expect(ops).toEqual(['protect', 'copyOut', 'fill', 'unmap']);
      expect(unmaps[0].record.nonZeroBytes).toBe(0);
    });
  }

  it('secureClear wipes exactly the data: the canary slack keeps its bytes', () => {
    const { host, mem } = observed(pageSize);
    const region = mem.allocate(48, 64, ReadWrite, Secure);
    const info = mem.inspect(region);
    const pagesEnd = info.dataPages.address + BigInt(info.dataPages.length);
    const slackBefore = host.raw.read(info.dataPages.address, Number(info.data.address - info.dataPages.address));
    const backBefore = host.raw.read(info.data.address + 48n, Number(pagesEnd - info.data.address - 48n));
    mem.write(region, SECRET);
    host.clearTrace();
    mem.secureClear(region);
    expect(fills(host.trace())).toEqual([[Number(info.data.address - info.mapping.address), 48]]);
    expect(mem.read(region)).toEqual(new Uint8Array(48));
    expect(host.raw.read(info.dataPages.address, slackBefore.length)).toEqual(slackBefore);
    expect(host.raw.read(info.data.address + 48n, backBefore.length)).toEqual(backBefore);
    expect(slackBefore.some((byte) => byte !== 0)).toBe(true); // there was a canary to keep
    expect(() => mem.free(region)).not.toThrow(); // and it is intact
  });

  it('secureClear of a NoAccess region opens it for the wipe and closes it again', () => {
    const { host, mem } = observed(pageSize);
    const region = mem.allocate(48, 8, ReadWrite, Secure);
    mem.write(region, SECRET);
    mem.protect(region, NoAccess);
    host.clearTrace();
    mem.secureClear(region);
    expect(host.trace().map((entry) => (entry.op === 'protect' ? `protect ${entry.protection}` : entry.op))).toEqual([
      'protect ReadWrite',
      'fill',
      'protect NoAccess',
    ]);
    expect(region.protection).toBe(NoAccess);
    mem.protect(region, ReadWrite);
    expect(mem.read(region)).toEqual(new Uint8Array(48));
  });

  it('after a failed unmap the region is still live, and freeing it again succeeds', () => {
    const { host, mem, unmaps } = observed(pageSize, { faults: [{ op: 'unmap', nth: 1, errno: 'EINVAL' }] });
    const region = mem.allocate(48, 64, ReadWrite, Secure);
    mem.write(region, SECRET);
    const error = (() => {
      try {
        mem.free(region);
      } catch (caught) {
        return caught as Error & { code: string };
      }
    })();
    expect(error?.code).toBe('FREE_FAILED');
    expect(region.freed).toBe(false);
    expect(host.usage().mappings).toBe(1);
    expect(() => mem.free(region)).not.toThrow(); // the wipe erased the canary: not a corruption
    expect(region.freed).toBe(true);
    expect(unmaps.map((unmap) => unmap.record.nonZeroBytes)).toEqual([0]);
  });
});
