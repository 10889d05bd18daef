// Undo on failure: a scripted fault fails each host call an operation makes, one at a time; the
// error must name the call and errno, and the core must leave the host exactly as it recorded
// it — nothing mapped or locked after a failed allocation, the page table equal to inspect()
// after a failed change.
import { describe, expect, it } from 'vitest';
import { AllocationType, MemoryProtectionLevel } from '../../src/index.js';
import type { SimulatedFault } from '../../src/testing.js';
import { PAGE_SIZES, expectCode, expectNothingLeft, expectPageTableAgrees, simulated } from '../simulated/fixtures.js';

const { ReadWrite, ReadOnly, NoAccess } = MemoryProtectionLevel;
const { Secure, LargePage } = AllocationType;

describe.each(PAGE_SIZES)('undo after a failed host call, %i-byte pages', (pageSize) => {
  // Each step of a Secure ReadOnly allocation, failed in turn.
  // [step, fault, code, errno name, Linux errno number]
  const allocationSteps: Array<[string, SimulatedFault, string, string, number]> = [
    ['mmap', { op: 'map', nth: 1, errno: 'ENOMEM' }, 'ALLOCATION_FAILED', 'ENOMEM', 12],
    [
      'the mprotect that opens the data pages',
      { op: 'protect', nth: 1, errno: 'ENOMEM' },
      'ALLOCATION_FAILED',
      'ENOMEM',
      12,
    ],
    ['madvise(MADV_DONTDUMP)', { op: 'advise', nth: 1, errno: 22 }, 'ALLOCATION_FAILED', 'EINVAL', 22],
    ['madvise(MADV_DONTFORK)', { op: 'advise', nth: 2, errno: 'EAGAIN' }, 'ALLOCATION_FAILED', 'EAGAIN', 11],
    ['mlock', { op: 'lock', nth: 1, errno: 'EPERM' }, 'LOCK_FAILED', 'EPERM', 1],
    ['the mprotect that sets ReadOnly', { op: 'protect', nth: 2, errno: 'EACCES' }, 'ALLOCATION_FAILED', 'EACCES', 13],
  ];
  for (const [step, fault, code, errnoName, errno] of allocationSteps) {
    it(`a Secure allocation whose ${step} fails is ${code} and leaves nothing mapped or locked`, () => {
      const { host, mem } = simulated({ pageSize, faults: [fault] });
      const error = expectCode(() => mem.allocate(100, 8, ReadOnly, Secure), code as never);
      expect(error).toMatchObject({ errnoName, errno, syscall: host.syscalls[fault.op] });
      expectNothingLeft(host, mem);
      // The host saw the failure where it was injected, and an unmap after it unless mmap itself failed.
      const trace = host.trace();
      const failedAt = trace.findIndex((entry) => entry.injected);
      expect(trace[failedAt].op).toBe(fault.op);
      expect(trace.slice(failedAt + 1).map((entry) => entry.op)).toEqual(fault.op === 'map' ? [] : ['unmap']);
    });
  }

  it('a lock failure message gives the errno, the memlock limit and what is locked now', () => {
    const { mem } = simulated({ pageSize, memlockLimit: 4 * pageSize });
    const held = mem.allocate(pageSize, 8, ReadWrite, Secure); // one page locked
    const error = expectCode(() => mem.allocate(4 * pageSize, 8, ReadWrite, Secure), 'LOCK_FAILED');
    expect(error.message).toContain('mlock failed with ENOMEM (12)');
    expect(error.message).toContain(`the memlock limit is ${4 * pageSize} bytes (soft) / ${4 * pageSize} bytes (hard)`);
    expect(error.message).toContain(`this process has ${pageSize} bytes locked now`);
    mem.free(held);
  });

  it('best effort: a failed lock leaves a usable, unlocked region, and undoes any partial lock', () => {
    const { host, mem } = simulated({ pageSize, faults: [{ op: 'lock', nth: 1, errno: 'ENOMEM' }] });
    const region = mem.allocate(100, 8, ReadWrite, Secure, { lock: 'bestEffort' });
    const info = mem.inspect(region);
    expect(info).toMatchObject({ locked: false, lockRequested: true });
    expect(
      host
        .trace()
        .slice(-2)
        .map((entry) => `${entry.op} ${entry.result}`),
    ).toEqual(['lock ENOMEM', 'unlock ok']);
    expect(mem.stats().lockedBytes).toBe(0);
    expectPageTableAgrees(mem, region);
    mem.write(region, new Uint8Array(100).fill(1));
    mem.free(region);
    expectNothingLeft(host, mem);
  });

  it('LargePage falls back to transparent huge pages when no explicit huge page is free after all', () => {
    const { host, mem } = simulated({
      pageSize,
      capabilities: { explicitHugePages: true },
      faults: [{ op: 'map', nth: 1, errno: 'ENOMEM' }],
    });
    const region = mem.allocate(100, 8, ReadWrite, LargePage);
    expect(mem.inspect(region).pageKind).toBe('transparent-huge');
    expect(
      host
        .trace()
        .filter((entry) => entry.op === 'map')
        .map((entry) => [entry.op === 'map' && entry.flags, entry.result]),
    ).toEqual([
      [1, 'ENOMEM'],
      [0, 0],
    ]);
    expectPageTableAgrees(mem, region);
  });

  it('a failed protect is PROTECTION_FAILED and keeps the old protection, in the page table too', () => {
    const { host, mem } = simulated({ pageSize });
    const region = mem.allocate(100, 8, ReadWrite, Secure);
    host.injectFault({ op: 'protect', nth: 1, errno: 'ENOMEM' });
    const error = expectCode(() => mem.protect(region, ReadOnly), 'PROTECTION_FAILED');
    expect(error).toMatchObject({ syscall: 'mprotect', errnoName: 'ENOMEM', errno: 12 });
    expect(region.protection).toBe(ReadWrite);
    expectPageTableAgrees(mem, region);
    mem.protect(region, ReadOnly); // the next attempt works
    expectPageTableAgrees(mem, region);
  });

  describe('locking a NoAccess region (open ReadOnly, lock, close)', () => {
    const closedRegion = () => {
      const fixture = simulated({ pageSize });
      const region = fixture.mem.allocate(100, 8, NoAccess, AllocationType.Regular);
      return { ...fixture, region };
    };

    it('if opening fails: PROTECTION_FAILED, nothing changed', () => {
      const { host, mem, region } = closedRegion();
      host.injectFault({ op: 'protect', nth: 1, errno: 'ENOMEM' });
      expectCode(() => mem.lock(region), 'PROTECTION_FAILED');
      expect([region.protection, region.locked]).toEqual([NoAccess, false]);
      expectPageTableAgrees(mem, region);
    });

    it('if mlock fails: LOCK_FAILED, unlocked and closed again', () => {
      const { host, mem, region } = closedRegion();
      host.injectFault({ op: 'lock', nth: 1, errno: 'EAGAIN' });
      expectCode(() => mem.lock(region), 'LOCK_FAILED');
      expect([region.protection, region.locked]).toEqual([NoAccess, false]);
      expect(host.usage().lockedBytes).toBe(0);
      expectPageTableAgrees(mem, region);
    });

    it(
      'if closing fails: PROTECTION_FAILED, and the region ' + 'is recorded as the kernel left it (ReadOnly, locked)',
      () => {
        const { host, mem, region } = closedRegion();
        host.injectFault({ op: 'protect', nth: 2, errno: 'ENOMEM' });
        expectCode(() => mem.lock(region), 'PROTECTION_FAILED');
        expect([region.protection, region.locked]).toEqual([ReadOnly, true]);
        expect(mem.stats().lockedBytes).toBe(host.usage().lockedBytes);
        expectPageTableAgrees(mem, region);
      },
    );
  });

  it('a failed munlock is UNLOCK_FAILED and the region stays locked', () => {
    const { host, mem } = simulated({ pageSize, faults: [{ op: 'unlock', nth: 1, errno: 'ENOMEM' }] });
    const region = mem.allocate(100, 8, ReadWrite, Secure);
    expectCode(() => mem.unlock(region), 'UNLOCK_FAILED');
    expect(region.locked).toBe(true);
    expect(host.usage().lockedBytes).toBe(mem.stats().lockedBytes);
    expectPageTableAgrees(mem, region);
  });

  it(
    'secureClear of a NoAccess region: a failed opening changes ' +
      'nothing, a failed closing leaves it recorded ReadWrite',
    () => {
      const { host, mem } = simulated({ pageSize });
      const region = mem.allocate(16, 8, ReadWrite, Secure);
      mem.write(region, new Uint8Array(16).fill(9));
      mem.protect(region, NoAccess);
      host.injectFault({ op: 'protect', nth: 1, errno: 'ENOMEM' });
      expectCode(() => mem.secureClear(region), 'PROTECTION_FAILED');
      expect(region.protection).toBe(NoAccess);
      expectPageTableAgrees(mem, region);
      host.injectFault({ op: 'protect', nth: 2, errno: 'ENOMEM' });
      expectCode(() => mem.secureClear(region), 'PROTECTION_FAILED');
      expect(region.protection).toBe(ReadWrite);
      expectPageTableAgrees(mem, region);
      expect(mem.read(region)).toEqual(new Uint8Array(16)); // the wipe itself happened
    },
  );

  it('free of a NoAccess region whose opening fails: PROTECTION_FAILED, still live, and a retry frees it', () => {
    const { host, mem } = simulated({ pageSize });
    const region = mem.allocate(16, 8, NoAccess, Secure);
    host.injectFault({ op: 'protect', nth: 1, errno: 'ENOMEM' });
    expectCode(() => mem.free(region), 'PROTECTION_FAILED');
    expect(region.freed).toBe(false);
    expectPageTableAgrees(mem, region);
    mem.free(region);
    expectNothingLeft(host, mem);
  });
});
