// Scripted faults: a rule fails the nth call of an operation, or every call its predicate picks,
// with any errno; the call then has no effect, and the error surfaces exactly as a kernel's would.
import { describe, expect, it } from 'vitest';
import { Protection } from '../../host/types.js';
import { AllocationType, MemoryProtectionLevel } from '../../src/index.js';
import { createSimulatedHost, type SimulatedCall } from '../../src/testing.js';
import { expectCode, expectNothingLeft, expectPageTableAgrees, simulated } from './fixtures.js';

const { ReadWrite, ReadOnly, NoAccess } = MemoryProtectionLevel;
const { Secure, Regular } = AllocationType;

describe('scripted faults', () => {
  it('fail exactly the nth call of their operation: the 3rd lock fails with EPERM, the 4th works', () => {
    const { host, mem } = simulated({ faults: [{ op: 'lock', nth: 3, errno: 'EPERM' }] });
    const first = mem.allocate(16, 8, ReadWrite, Secure);
    const second = mem.allocate(16, 8, ReadWrite, Secure);
    const error = expectCode(() => mem.allocate(16, 8, ReadWrite, Secure), 'LOCK_FAILED');
    expect(error).toMatchObject({ syscall: 'mlock', errno: 1, errnoName: 'EPERM' });
    const fourth = mem.allocate(16, 8, ReadWrite, Secure);
    expect(
      host
        .trace()
        .filter((entry) => entry.op === 'lock')
        .map((entry) => entry.result),
    ).toEqual(['ok', 'ok', 'EPERM', 'ok']);
    for (const region of [first, second, fourth]) mem.free(region);
    expectNothingLeft(host, mem);
  });

  it('without nth, fail every call their predicate picks; the predicate sees the call as plain data', () => {
    const seen: SimulatedCall[] = [];
    const { host, mem } = simulated({
      faults: [
        {
          op: 'protect',
          when: (call) => {
            seen.push(call);
            return call.protection === ReadOnly;
          },
          errno: 'EACCES',
        },
      ],
    });
    const region = mem.allocate(16, 8, ReadWrite, Regular);
    expect(expectCode(() => mem.protect(region, ReadOnly), 'PROTECTION_FAILED').errnoName).toBe('EACCES');
    expect(expectCode(() => mem.protect(region, ReadOnly), 'PROTECTION_FAILED').errnoName).toBe('EACCES');
    mem.protect(region, NoAccess);
    expect(seen).toEqual([
      { op: 'protect', id: 0, offset: 0, length: 4096, protection: 'ReadOnly', count: 1 },
      { op: 'protect', id: 0, offset: 0, length: 4096, protection: 'ReadOnly', count: 2 },
      { op: 'protect', id: 0, offset: 0, length: 4096, protection: 'NoAccess', count: 3 },
    ]);
    expectPageTableAgrees(mem, region);
    expect(host.trace().filter((entry) => entry.injected)).toHaveLength(2);
  });

  it('with nth and a predicate, fail the nth call the predicate picks', () => {
    const host = createSimulatedHost({
      faults: [{ op: 'map', nth: 2, when: (call) => call.length === 8192, errno: 'ENOMEM' }],
    });
    expect(host.map(8192, 4096, Protection.ReadWrite, 0)).toBe(0);
    expect(host.map(4096, 4096, Protection.ReadWrite, 0)).toBe(1);
    expect(host.map(8192, 4096, Protection.ReadWrite, 0)).toBe(-12);
    expect(host.map(8192, 4096, Protection.ReadWrite, 0)).toBe(2);
  });

  it('can fail every faultable operation, with an errno given by name or by number', () => {
    const host = createSimulatedHost({
      faults: [
        { op: 'map', nth: 2, errno: 'ENFILE' },
        { op: 'unmap', nth: 1, errno: 22 },
        { op: 'protect', nth: 1, errno: 'EACCES' },
        { op: 'lock', nth: 1, errno: 'EAGAIN' },
        { op: 'unlock', nth: 1, errno: 'EINVAL' },
        { op: 'advise', nth: 1, errno: 4000 },
      ],
    });
    const id = host.map(4096, 4096, Protection.ReadWrite, 0);
    expect(host.map(4096, 4096, Protection.ReadWrite, 0)).toBe(-23);
    expect([
      host.protect(id, 0, 4096, Protection.ReadOnly),
      host.lock(id, 0, 4096),
      host.unlock(id, 0, 4096),
      host.advise(id, 0, 4096, 1),
      host.unmap(id),
    ]).toEqual([13, 11, 22, 4000, 22]);
    // A failed call changes nothing: the page is still ReadWrite, unlocked, not advised, mapped.
    expect(host.kernelView!(host.address(id), 4096)[0]).toMatchObject({
      permissions: 'rw-p',
      flags: ['rd', 'wr', 'mr', 'mw', 'me', 'ac'],
    });
    expect(host.errorName(4000)).toBe('errno 4000');
    expect(host.unmap(id)).toBe(0);
  });

  it('added later with injectFault, count calls from then on', () => {
    const { host, mem } = simulated();
    const region = mem.allocate(16, 8, ReadWrite, Secure); // one lock so far
    host.injectFault({ op: 'lock', nth: 1, errno: 'ENOMEM' });
    mem.unlock(region);
    expect(expectCode(() => mem.lock(region), 'LOCK_FAILED').errnoName).toBe('ENOMEM');
    mem.lock(region);
    expect(region.locked).toBe(true);
  });

  it('are marked in the trace as injected, unlike failures the page table itself decides', () => {
    const host = createSimulatedHost({ memlockLimit: 4096, faults: [{ op: 'lock', nth: 1, errno: 'EPERM' }] });
    const id = host.map(2 * 4096, 4096, Protection.ReadWrite, 0);
    host.lock(id, 0, 4096);
    host.lock(id, 0, 2 * 4096);
    expect(host.trace().filter((entry) => entry.op === 'lock')).toEqual([
      { op: 'lock', id, offset: 0, length: 4096, result: 'EPERM', injected: true },
      { op: 'lock', id, offset: 0, length: 8192, result: 'ENOMEM' },
    ]);
  });
});
