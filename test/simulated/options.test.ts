// createSimulatedHost's options: defaults as documented, and every bad option refused with
// INVALID_ARGUMENT and a message that names it and says what is expected.
import { describe, expect, it } from 'vitest';
import { POSIX_SYSCALLS } from '../../host/posix.js';
import { createSimulatedHost, type SimulatedHostOptions } from '../../src/testing.js';
import { expectCode } from './fixtures.js';

describe('createSimulatedHost options', () => {
  it('default to 4 KiB pages, no limits, seed 0, no faults, Linux-like capabilities', () => {
    const host = createSimulatedHost();
    expect(host.platform).toBe('simulated');
    expect(host.pageSize()).toBe(4096);
    expect(host.memlockStatus()).toEqual({ soft: Infinity, hard: Infinity, lockedBytes: 0 });
    expect(host.capabilities()).toEqual({
      lock: true,
      dontDump: true,
      dontFork: true,
      explicitHugePages: false,
      transparentHugePages: true,
      hugePageSize: 2 * 1024 * 1024,
      secretMemory: false, // off unless asked for (docs/secret-memory.md)
    });
    expect(host.syscalls).toEqual(POSIX_SYSCALLS); // errors name the calls Linux would make
    const seeded = new Uint8Array(16);
    const unseeded = new Uint8Array(16);
    createSimulatedHost({ seed: 0 }).randomBytes(seeded);
    host.randomBytes(unseeded);
    expect(unseeded).toEqual(seeded);
  });

  it('take capability overrides, such as explicit huge pages of another size or no locking at all', () => {
    const host = createSimulatedHost({
      pageSize: 16384,
      capabilities: { explicitHugePages: true, hugePageSize: 32 * 1024 * 1024, lock: false },
    });
    expect(host.capabilities()).toMatchObject({
      explicitHugePages: true,
      hugePageSize: 32 * 1024 * 1024,
      lock: false,
      dontDump: true,
    });
    expect(createSimulatedHost({ pageSize: 4 * 1024 * 1024 }).capabilities().hugePageSize).toBe(4 * 1024 * 1024);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    [
      'an unknown option',
      { pagesize: 4096 },
      /createSimulatedHost options has an unknown key \(a string of 8 characters, close to 'pageSize'\)/,
    ],
    ['a page size that is not a power of two', { pageSize: 5000 }, /pageSize must be a power of two/],
    ['a page size below 1 KiB', { pageSize: 512 }, /pageSize/],
    ['a negative memlock limit', { memlockLimit: -1 }, /memlockLimit must be an integer of at least 0/],
    ['a fractional memlock limit', { memlockLimit: 1.5 }, /memlockLimit/],
    ['no mappings at all', { maxMappings: 0 }, /maxMappings must be an integer of at least 1/],
    ['a fractional seed', { seed: 0.5 }, /seed must be an integer or a bigint/],
    ['faults that are not an array', { faults: {} }, /faults must be an array/],
    [
      'a fault on an operation that cannot fail',
      { faults: [{ op: 'copyIn', errno: 'EFAULT' }] },
      /faults\[0\]\.op must be one of map, unmap, protect, lock, unlock, advise/,
    ],
    ['an unknown errno name', { faults: [{ op: 'lock', errno: 'ENOPE' }] }, /faults\[0\]\.errno must be an errno name/],
    ['an errno number out of range', { faults: [{ op: 'lock', errno: 0 }] }, /from 1 to 4095/],
    [
      'an nth of zero',
      { faults: [{ op: 'lock', nth: 0, errno: 'EPERM' }] },
      /faults\[0\]\.nth must be a positive integer/,
    ],
    [
      'a when that is not a function',
      { faults: [{ op: 'lock', when: true, errno: 'EPERM' }] },
      /when must be a function/,
    ],
    [
      'an unknown capability',
      { capabilities: { swap: false } },
      /capabilities has an unknown key \(a string of 4 characters\); known options: lock, dontDump/,
    ],
    [
      'a capability that is not a boolean',
      { capabilities: { lock: 'no' } },
      /capabilities\.lock must be true or false/,
    ],
    [
      'a huge page smaller than the page',
      { pageSize: 65536, capabilities: { hugePageSize: 4096 } },
      /hugePageSize must be a power of two from the page size/,
    ],
    ['an onUnmap that is not a function', { onUnmap: 1 }, /onUnmap must be a function/],
  ];
  for (const [what, options, message] of bad) {
    it(`refuse ${what}`, () => {
      const error = expectCode(() => createSimulatedHost(options as SimulatedHostOptions), 'INVALID_ARGUMENT');
      expect(error.message).toMatch(message);
    });
  }

  it('refuse a bad fault given later to injectFault, the same way', () => {
    expectCode(() => createSimulatedHost().injectFault({ op: 'lock', errno: 'EWHAT' }), 'INVALID_ARGUMENT');
  });
});
