// Sizes on the simulated host, which models what Linux does with pages: a page is committed
// (resident) when it is first written, mlock commits the writable pages it locks, secret memory
// refuses mlock, and `availableMemory` plays MemAvailable. Secure regions are committed whole at
// allocation or refused then; wipes (free, secureClear, the exit wipe) touch only pages that ever
// held data. Each test has its control: the same call where the pages were written.
import { describe, expect, it } from 'vitest';
import { AllocationType, MemoryProtectionLevel, SecureBuffer, SecureHeap } from '../../src/index.js';
import type { SimulatedHost, TraceEntry } from '../../src/testing.js';
import { wipeAllLiveSecrets } from '../../src/exit-wipe.js';
import { PAGE_SIZES, expectCode, simulated } from './fixtures.js';

const PAGE = 4096;
const MiB = 2 ** 20;

/** Resident (committed) bytes the simulated kernel reports over [address, address + length). */
function residentBytes(host: SimulatedHost, address: bigint, length: number): number {
  return host.kernelView!(address, length).reduce((sum, range) => sum + range.residentBytes, 0);
}

/** The fills of a trace, as [offset, length] pairs. */
const fills = (trace: TraceEntry[]) =>
  trace.flatMap((entry) => (entry.op === 'fill' ? [[entry.offset, entry.length]] : []));

describe('commit at allocation', () => {
  it(
    'a Secure region whose lock failed (best effort) has every data ' +
      'page committed; a Regular one of the same size none (control)',
    () => {
      const { host, mem } = simulated({ memlockLimit: 0 });
      const secure = mem.allocate(10 * PAGE, 16, MemoryProtectionLevel.NoAccess, AllocationType.Secure, {
        lock: 'bestEffort',
      });
      const info = mem.inspect(secure);
      expect(info.locked).toBe(false);
      expect(residentBytes(host, info.dataPages.address, info.dataPages.length)).toBe(10 * PAGE);
      const regular = mem.allocate(10 * PAGE, 16, MemoryProtectionLevel.NoAccess, AllocationType.Regular);
      const regularInfo = mem.inspect(regular);
      expect(residentBytes(host, regularInfo.dataPages.address, regularInfo.dataPages.length)).toBe(0);
    },
  );

  it('secret memory, which mlock cannot populate, is committed by zeroing its data pages', () => {
    const { host } = simulated({ capabilities: { secretMemory: true } });
    const secret = SecureBuffer.alloc(10 * PAGE, { host });
    const info = secret.inspect();
    expect(info.backing).toBe('secret-memory');
    expect(residentBytes(host, info.dataPages.address, info.dataPages.length)).toBe(10 * PAGE);
    secret.dispose();
  });

  it(
    'a Secure allocation larger than the memory left fails ' + 'then, naming the figures, and leaves nothing mapped',
    () => {
      const { host, mem } = simulated({ availableMemory: 4 * MiB });
      const error = expectCode(
        () => mem.allocate(8 * MiB, 16, MemoryProtectionLevel.ReadWrite, AllocationType.Secure),
        'ALLOCATION_FAILED',
      );
      expect(error.message).toContain(
        'cannot allocate 8388608 bytes (Secure): its pages are more than this process can still commit ' +
          '(4194304 bytes: MemAvailable is 4194304 bytes',
      );
      expect(error.message).toMatch(/OOM killer/);
      expect(host.usage()).toMatchObject({ mappings: 0, lockedBytes: 0 });
      // Control: what fits is allocated and committed, and what it took is no longer available.
      const fits = mem.allocate(3 * MiB, 16, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
      expect(host.memoryRoom!()!.bytes).toBeLessThanOrEqual(MiB);
      expectCode(
        () => mem.allocate(2 * MiB, 16, MemoryProtectionLevel.ReadWrite, AllocationType.Secure),
        'ALLOCATION_FAILED',
      );
      mem.free(fits);
      expect(host.usage().mappings).toBe(0);
    },
  );

  it('SecureBuffer and SecureHeap arenas are checked the same way', () => {
    const { host } = simulated({ availableMemory: 4 * MiB });
    expectCode(() => SecureBuffer.alloc(8 * MiB, { host }), 'ALLOCATION_FAILED');
    const heap = new SecureHeap({ host, arenaSize: 8 * MiB });
    expectCode(() => heap.alloc(32), 'ALLOCATION_FAILED');
    expect(host.usage().mappings).toBe(0);
    heap.destroy();
  });

  it('lock() of a region larger than the memory left fails with LOCK_FAILED and locks nothing', () => {
    const { host, mem } = simulated({ availableMemory: 4 * MiB });
    const region = mem.allocate(8 * MiB, 16, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
    const error = expectCode(() => mem.lock(region), 'LOCK_FAILED');
    expect(error.message).toMatch(/Nothing was locked/);
    expect(host.usage().lockedBytes).toBe(0);
    const small = mem.allocate(2 * MiB, 16, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
    mem.lock(small); // control: what fits is locked
    expect(host.usage().lockedBytes).toBe(2 * MiB);
    mem.free(small);
    mem.free(region);
  });
});

describe('wipes touch only pages that held data', () => {
  it(
    'freeing a never-written 64 MiB NoAccess Regular region ' +
      'only unmaps it; one written page is wiped whole (control)',
    () => {
      const { host, mem } = simulated();
      const untouched = mem.allocate(64 * MiB, 16, MemoryProtectionLevel.NoAccess, AllocationType.Regular);
      host.clearTrace();
      mem.free(untouched);
      expect(host.trace().map((entry) => entry.op)).toEqual(['unmap']);

      const written = mem.allocate(64 * MiB, 16, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
      mem.write(written, new Uint8Array(16).fill(0x5a), 40 * MiB + 100);
      mem.protect(written, MemoryProtectionLevel.NoAccess);
      const { address } = mem.inspect(written).dataPages;
      expect(residentBytes(host, address, 64 * MiB)).toBe(PAGE);
      host.clearTrace();
      mem.free(written);
      expect(fills(host.trace())).toEqual([[40 * MiB, PAGE]]);
      expect(host.unmapped().at(-1)!.nonZeroBytes).toBe(0);
    },
  );

  it('secureClear of a never-written region makes no call; a written range is cleared exactly (control)', () => {
    const { host, mem } = simulated();
    const region = mem.allocate(8 * MiB, 16, MemoryProtectionLevel.NoAccess, AllocationType.Regular);
    host.clearTrace();
    mem.secureClear(region);
    expect(host.trace()).toEqual([]);
    mem.protect(region, MemoryProtectionLevel.ReadWrite);
    mem.write(region, new Uint8Array(100).fill(0xee), 5 * MiB);
    host.clearTrace();
    mem.secureClear(region);
    expect(fills(host.trace())).toEqual([[5 * MiB, 100]]);
    expect(Array.from(mem.read(region, 5 * MiB, 100))).toEqual(new Array(100).fill(0));
    mem.free(region);
  });

  it.each(PAGE_SIZES)(
    'with %i-byte pages, freeing a never-written guarded Regular region ' +
      'wipes only its two canary pages; a written middle page too (control)',
    (PAGE) => {
      const { host, mem } = simulated({ pageSize: PAGE });
      // 100 bytes short of 64 pages: canary slack in front (first page) and behind (last page).
      const free = (write: boolean) => {
        const region = mem.allocateWithGuardPages(64 * PAGE - 100, 1, 1, 16);
        if (write) mem.write(region, new Uint8Array(16).fill(0x5a), 30 * PAGE);
        const { address, length } = mem.inspect(region).dataPages;
        const offset = Number(address - mem.inspect(region).mapping.address);
        host.clearTrace();
        mem.freeGuardedMemory(region);
        expect(host.unmapped().at(-1)!.nonZeroBytes).toBe(0);
        return { offset, length, fills: fills(host.trace()) };
      };
      const untouched = free(false);
      expect(untouched.fills).toEqual([
        [untouched.offset, PAGE],
        [untouched.offset + untouched.length - PAGE, PAGE],
      ]);
      const written = free(true);
      const dataOffset = written.offset + 96; // the data starts 96 bytes into the first page (16-aligned)
      const page = written.offset + Math.floor((dataOffset - written.offset + 30 * PAGE) / PAGE) * PAGE;
      expect(written.fills).toEqual([
        [written.offset, PAGE],
        [page, PAGE],
        [written.offset + written.length - PAGE, PAGE],
      ]);
    },
  );

  it('disposing an untouched SecureBuffer wipes pages that are already committed: none is faulted in', () => {
    const { host } = simulated({ capabilities: { secretMemory: true } });
    const secret = SecureBuffer.alloc(64 * PAGE - 100, { host });
    const { address, length } = secret.inspect().dataPages;
    expect(residentBytes(host, address, length)).toBe(length); // committed when it was made
    const offset = Number(address - secret.inspect().mapping.address);
    host.clearTrace();
    secret.dispose();
    expect(fills(host.trace())).toEqual([[offset, length]]); // whole: native code may have written it
    expect(host.unmapped().at(-1)!.nonZeroBytes).toBe(0);
  });

  it(
    "the exit wipe fills a heap arena's formatted pages, not its " +
      '255 virgin ones; the heap secret is zero after (control)',
    () => {
      const { host } = simulated();
      const heap = new SecureHeap({ host, arenaSize: 256 * PAGE });
      const secret = heap.from(new Uint8Array(32).fill(0x5a));
      const dataAddress = secret.inspect().data.address;
      const arena = host.trace().find((entry) => entry.op === 'map')!.result as number;
      const formatted = heap.stats().formattedPages;
      expect(formatted).toBeLessThan(256);
      // The control first: opened behind the core's back, the secret's bytes are there to be found.
      const peek = () => {
        host.protect(arena, PAGE, PAGE, 2 /* ReadWrite */);
        const bytes = Array.from(host.raw.read(dataAddress, 32));
        host.protect(arena, PAGE, PAGE, 0 /* NoAccess */);
        return bytes;
      };
      expect(peek()).toEqual(new Array(32).fill(0x5a));
      host.clearTrace();
      wipeAllLiveSecrets();
      expect(fills(host.trace().filter((entry) => 'id' in entry && entry.id === arena))).toEqual([
        [PAGE, formatted * PAGE],
      ]);
      expect(peek()).toEqual(new Array(32).fill(0));
    },
  );
});
