// Secret memory on the simulated host: off unless asked for (so pinned traces stay as they were);
// with `capabilities: { secretMemory: true }` it answers as Linux's memfd_secret does — the data
// pages become a shared, locked, dump-excluded mapping (smaps `rw-s … sh mr mw ms lo dc dd`)
// between ordinary guard pages, counted against the memlock limit (EAGAIN past it), refusing
// mlock (ENOMEM) and execute access (EACCES), and faultable like any other call.
import { describe, expect, it } from 'vitest';
import {
  AllocationType,
  MemoryProtectionLevel,
  SecureBuffer,
  SecureHeap,
  createPlatformMemory,
} from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';
import { Protection } from '../../host/types.js';
import { expectCode } from './fixtures.js';

const PAGE = 4096;
const secretHost = (options = {}) => createSimulatedHost({ capabilities: { secretMemory: true }, ...options });

describe('secret memory on the simulated host', () => {
  it('is off by default: SecureBuffer gets ordinary pages and the trace has no mapSecret', () => {
    const host = createSimulatedHost();
    expect(host.capabilities().secretMemory).toBe(false);
    const secret = SecureBuffer.alloc(32, { host });
    expect(secret.inspect()).toMatchObject({ backing: 'anonymous', secretMemoryRequested: true, locked: true });
    expect(host.trace().some((entry) => entry.op === 'mapSecret')).toBe(false);
    expect(host.mapSecret!(0, PAGE, PAGE, Protection.ReadWrite)).toBe(38); // ENOSYS, as a kernel without it
    secret.dispose();
  });

  it(
    "backs a SecureBuffer's data pages when on: shared, " + 'locked, dump- and fork-excluded, between ordinary guards',
    () => {
      const host = secretHost();
      const secret = SecureBuffer.alloc(32, { host });
      const info = secret.inspect();
      expect(info).toMatchObject({ backing: 'secret-memory', locked: true });
      const describe = (entries = info.dataPages.kernel!) =>
        entries.map((entry) => `${entry.permissions} ${entry.flags.join(' ')}`);
      expect(describe()).toEqual(['---s sh mr mw ms lo dc dd']);
      secret.update(() =>
        expect(describe(host.kernelView!(info.dataPages.address, info.dataPages.length))).toEqual([
          'rw-s rd wr sh mr mw ms lo dc dd',
        ]),
      );
      for (const guard of info.guards) expect(describe(guard.kernel)).toEqual(['---p mr mw me dc dd']);
      expect(host.usage().lockedBytes).toBe(PAGE); // the data page only: guards cost no locked memory
      secret.dispose();
      // Its range stays reserved (the quarantine): one NoAccess VMA, holding and locking nothing.
      expect(host.usage()).toEqual({ mappings: 1, vmas: 1, mappedBytes: 3 * PAGE, lockedBytes: 0 });
    },
  );

  it(
    'counts against the memlock limit: past it, preferred falls ' +
      'back (and then LOCK_FAILED), required fails with EAGAIN',
    () => {
      const host = secretHost({ memlockLimit: 2 * PAGE });
      const held = [SecureBuffer.alloc(32, { host }), SecureBuffer.alloc(32, { host })];
      expect(held.map((secret) => secret.inspect().backing)).toEqual(['secret-memory', 'secret-memory']);
      const lockFailed = expectCode(() => SecureBuffer.alloc(32, { host }), 'LOCK_FAILED');
      expect(lockFailed.syscall).toBe('mlock');
      const required = expectCode(
        () => SecureBuffer.alloc(32, { host, secretMemory: 'required' }),
        'ALLOCATION_FAILED',
      );
      expect(required).toMatchObject({ syscall: 'memfd_secret', errnoName: 'EAGAIN' });
      expect(required.message).toMatch(/counts against RLIMIT_MEMLOCK: the limit is 8192 bytes \(soft\)/);
      const unlocked = SecureBuffer.alloc(32, { host, lock: 'bestEffort' });
      expect(unlocked.inspect()).toMatchObject({
        backing: 'anonymous',
        locked: false,
        lockRequested: true,
        secretMemoryRequested: true,
      });
      for (const secret of [...held, unlocked]) secret.dispose();
      expect(host.usage()).toMatchObject({ mappings: 3, lockedBytes: 0 }); // three ranges quarantined, nothing locked
    },
  );

  it('backs SecureHeap arenas, and says how much in stats', () => {
    const host = secretHost();
    const heap = new SecureHeap({ host, arenaSize: 4 * PAGE });
    const secrets = Array.from({ length: 500 }, () => heap.alloc(32));
    const stats = heap.stats();
    expect(stats.secretMemoryBytes).toBe(stats.arenas * 4 * PAGE);
    expect(stats.secretMemoryBytes).toBe(stats.lockedBytes);
    expect(host.usage().lockedBytes).toBe(stats.lockedBytes);
    expect(secrets.at(-1)!.inspect().backing).toBe('secret-memory');
    const off = new SecureHeap({ host, secretMemory: 'off' });
    off.alloc(32);
    expect(off.stats()).toMatchObject({ secretMemoryBytes: 0, secretMemory: 'off' });
    heap.destroy();
    off.destroy();
    expect(host.usage().mappings).toBe(0);
  });

  it(
    "keeps the kernel's rules: no mlock (ENOMEM), no execute " + '(EACCES), no unlock (NOT_SUPPORTED, no host call)',
    () => {
      const host = secretHost();
      const mem = createPlatformMemory({ host });
      const region = mem.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure, {
        secretMemory: 'required',
      });
      const info = mem.inspect(region);
      const id = 0;
      const offset = Number(info.dataPages.address - info.mapping.address);
      expect(host.lock(id, offset, PAGE)).toBe(12); // ENOMEM: get_user_pages refuses secret memory
      host.clearTrace();
      expectCode(() => mem.unlock(region), 'NOT_SUPPORTED');
      expect(host.trace()).toEqual([]);
      expect(
        expectCode(() => mem.protect(region, MemoryProtectionLevel.ReadExecute), 'PROTECTION_FAILED').errnoName,
      ).toBe('EACCES');
      expect(mem.inspect(region).protection).toBe('ReadWrite');
      mem.free(region);
    },
  );

  it(
    'is faultable: a scripted mapSecret failure falls back ' +
      '(preferred) or fails (required), leaving nothing mapped',
    () => {
      const host = secretHost({ faults: [{ op: 'mapSecret', errno: 'ENOMEM' }] });
      const mem = createPlatformMemory({ host });
      const fallback = mem.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure, {
        secretMemory: 'preferred',
      });
      expect(mem.inspect(fallback)).toMatchObject({ backing: 'anonymous', secretMemoryRequested: true, locked: true });
      mem.free(fallback);
      expectCode(
        () => mem.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure, { secretMemory: 'required' }),
        'ALLOCATION_FAILED',
      );
      expect(host.usage().mappings).toBe(0);
    },
  );

  it('is refused for anything but a Secure allocation, and for an unknown policy', () => {
    const mem = createPlatformMemory({ host: secretHost() });
    expectCode(
      () => mem.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Regular, { secretMemory: 'preferred' }),
      'INVALID_ARGUMENT',
    );
    expectCode(() => mem.allocateWithGuardPages(32, 1, 1, 8, { secretMemory: 'required' }), 'INVALID_ARGUMENT');
    expectCode(
      () =>
        mem.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure, {
          secretMemory: 'always' as never,
        }),
      'INVALID_ARGUMENT',
    );
    expectCode(() => SecureBuffer.alloc(32, { secretMemory: true as never }), 'INVALID_ARGUMENT');
  });
});
