// Secret memory (memfd_secret) on the real kernel: SecureBuffer and SecureHeap keep their data
// pages in it by default where the kernel offers it; smaps shows those pages as a shared mapping
// of /secretmem, locked, dump- and fork-excluded, with ordinary NoAccess guard pages around them;
// VmLck counts the data pages only; /proc/self/mem cannot read them; the system calls are the
// ones the simulated host predicts; and without memfd_secret (injected ENOSYS) everything falls
// back to ordinary locked pages, saying so, while 'required' refuses.
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AllocationType, MemoryProtectionLevel, PlatformMemory, SecureBuffer, SecureHeap } from '../../src/index.js';
import { createSimulatedHost, type TraceEntry } from '../../src/testing.js';
import { nativeHost } from '../../src/default-memory.js';
import {
  betweenMarkers,
  lastJson,
  overlapping,
  parseStrace,
  readSmaps,
  run,
  vmLockedBytes,
  type Syscall,
} from '../helpers/kernel.js';
import { peek } from '../secure-buffer/peek.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/linux-secret-memory.mjs', import.meta.url));
const available = nativeHost().capabilities().secretMemory === true;
const PAGE = 4096;

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const undo of cleanup.splice(0)) undo();
});

describe.runIf(available)('secret memory on this kernel (memfd_secret works here)', () => {
  it(
    'is what SecureBuffer gets by default: a shared /secretmem ' +
      'mapping, lo dd dc, between ordinary unlocked guard pages',
    () => {
      const secret = SecureBuffer.alloc(32);
      cleanup.push(() => secret.dispose());
      const info = secret.inspect();
      expect(info).toMatchObject({
        backing: 'secret-memory',
        secretMemoryRequested: true,
        locked: true,
        dumpExcluded: true,
        forkExcluded: true,
      });
      const smaps = readSmaps();
      const [data] = overlapping(smaps, info.dataPages.address, info.dataPages.length);
      expect(data).toMatchObject({ perms: '---s', path: '/secretmem (deleted)' });
      for (const flag of ['sh', 'lo', 'dd', 'dc']) expect(data.flags.has(flag), flag).toBe(true);
      for (const guard of info.guards) {
        const [entry] = overlapping(smaps, guard.address, guard.length);
        expect({ perms: entry.perms, path: entry.path, lo: entry.flags.has('lo') }).toEqual({
          perms: '---p',
          path: '',
          lo: false,
        });
      }
    },
  );

  it('charges VmLck (and RLIMIT_MEMLOCK) for the data pages only, and gives them back at dispose', () => {
    const before = vmLockedBytes();
    const secrets = Array.from({ length: 10 }, () => SecureBuffer.alloc(5000)); // two data pages each
    expect(vmLockedBytes() - before).toBe(10 * 2 * PAGE);
    for (const secret of secrets) secret.dispose();
    expect(vmLockedBytes()).toBe(before);
  });

  it('cannot be read through /proc/self/mem (EIO), while an ordinary Secure page can (the control)', () => {
    const secret = SecureBuffer.from(new Uint8Array(32).fill(0x5a));
    const ordinary = SecureBuffer.from(new Uint8Array(32).fill(0x5a), { secretMemory: 'off' });
    cleanup.push(() => {
      secret.dispose();
      ordinary.dispose();
    });
    expect(Array.from(peek(ordinary.inspect().data.address, 32))).toEqual(new Array(32).fill(0x5a));
    expect(() => peek(secret.inspect().data.address, 32)).toThrow(/EIO/);
    // the process itself reads it in use()
    expect(secret.use((view) => view.every((byte) => byte === 0x5a))).toBe(true);
  });

  it('backs SecureHeap arenas too: stats say how many bytes, inspect says which arena', () => {
    const heap = new SecureHeap({ arenaSize: 64 * 1024 });
    cleanup.push(() => heap.destroy());
    for (let i = 0; i < 3000; i++) heap.alloc(32);
    const stats = heap.stats();
    expect(stats.secretMemory).toBe('preferred');
    expect(stats.secretMemoryBytes).toBe(stats.lockedBytes);
    expect(stats.secretMemoryBytes).toBe(stats.arenas * 64 * 1024);
    expect(heap.inspect().arenas.every((arena) => arena.backing === 'secret-memory')).toBe(true);
  });

  it(
    'is opt-in for PlatformMemory Secure regions; there unlock ' +
      'is refused (the kernel keeps it locked) and lock is a no-op',
    () => {
      const plain = PlatformMemory.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
      const secret = PlatformMemory.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure, {
        secretMemory: 'required',
      });
      cleanup.push(() => {
        PlatformMemory.free(plain);
        PlatformMemory.free(secret);
      });
      expect(PlatformMemory.inspect(plain).backing).toBe('anonymous');
      expect(PlatformMemory.inspect(secret).backing).toBe('secret-memory');
      PlatformMemory.lock(secret);
      expect(() => PlatformMemory.unlock(secret)).toThrow(
        expect.objectContaining({
          code: 'NOT_SUPPORTED',
          message: expect.stringMatching(/keeps locked until they are freed/),
        }),
      );
      const [data] = overlapping(readSmaps(), PlatformMemory.inspect(secret).dataPages.address, 32);
      expect(data.flags.has('lo')).toBe(true);
      expect(secret.locked).toBe(true);
    },
  );

  it(
    'refuses execute protections (its file system is noexec): ' + 'PROTECTION_FAILED with EACCES, the region unchanged',
    () => {
      const region = PlatformMemory.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure, {
        secretMemory: 'required',
      });
      cleanup.push(() => PlatformMemory.free(region));
      expect(() => PlatformMemory.protect(region, MemoryProtectionLevel.ReadExecute)).toThrow(
        expect.objectContaining({ code: 'PROTECTION_FAILED', errnoName: 'EACCES' }),
      );
      expect(PlatformMemory.inspect(region).protection).toBe('ReadWrite');
      expect(overlapping(readSmaps(), PlatformMemory.inspect(region).dataPages.address, 32)[0].perms).toBe('rw-s');
    },
  );
});

/** The Linux system calls a simulated trace stands for, addresses relative to the mapping. */
function expectedSyscalls(trace: TraceEntry[]): string[] {
  const PROT: Record<string, string> = {
    NoAccess: 'PROT_NONE',
    ReadOnly: 'PROT_READ',
    ReadWrite: 'PROT_READ|PROT_WRITE',
  };
  const MADV: Record<string, string> = { DontDump: 'MADV_DONTDUMP', DontFork: 'MADV_DONTFORK' };
  return trace.flatMap((entry): string[] => {
    switch (entry.op) {
      case 'map':
        return [`mmap(NULL, ${entry.length}, ${PROT[entry.protection]}, MAP_PRIVATE|MAP_ANONYMOUS)`];
      case 'mapSecret':
        return [
          'memfd_secret(O_CLOEXEC)',
          `ftruncate(fd, ${entry.length})`,
          `mmap(+${entry.offset}, ${entry.length}, ${PROT[entry.protection]}, MAP_SHARED|MAP_FIXED, fd)`,
          'close(fd)',
        ];
      case 'protect':
        return [`mprotect(+${entry.offset}, ${entry.length}, ${PROT[entry.protection]})`];
      case 'advise':
        return [`madvise(+${entry.offset}, ${entry.length}, ${MADV[entry.advice]})`];
      case 'lock':
        return [`mlock(+${entry.offset}, ${entry.length})`];
      case 'unmap':
        return [`munmap(+0, ${trace.find((call) => call.op === 'map')?.length ?? '?'})`];
      case 'decommit':
        return [
          `mmap(+0, ${trace.find((call) => call.op === 'map')?.length ?? '?'}, ` +
            `PROT_NONE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1)`,
        ];
      default:
        return []; // copies, fills and random bytes make no system call
    }
  });
}

/** The calls of a window on the mapping at `address` (and on the secret-memory descriptor), in the same notation. */
function observedSyscalls(window: Syscall[], address: bigint, length: number): string[] {
  const inside = (at: bigint) => at >= address && at < address + BigInt(length);
  let fd = '';
  const calls: string[] = [];
  for (const call of window) {
    const args = call.args.split(', ');
    const at = /^0x[0-9a-f]+$/.test(args[0]) ? BigInt(args[0]) : undefined;
    if (call.name === 'memfd_secret') {
      fd = call.result;
      calls.push(`memfd_secret(${args[0]})`);
      continue;
    }
    if ((call.name === 'ftruncate' || call.name === 'close') && args[0] === fd) {
      calls.push(call.name === 'close' ? 'close(fd)' : `ftruncate(fd, ${args[1]})`);
      continue;
    }
    if (call.name === 'mmap' && args[0] === 'NULL' && call.result.startsWith('0x') && BigInt(call.result) === address) {
      calls.push(`mmap(NULL, ${args[1]}, ${args[2]}, ${args[3]})`);
    } else if (
      at !== undefined &&
      inside(at) &&
      ['mmap', 'mprotect', 'madvise', 'mlock', 'munmap'].includes(call.name)
    ) {
      const rest = call.name === 'mmap' ? [args[1], args[2], args[3], args[4] === fd ? 'fd' : args[4]] : args.slice(1);
      calls.push(`${call.name}(+${at - address}, ${rest.join(', ')})`);
    }
  }
  return calls;
}

describe.runIf(available)('secret memory, as strace sees it', () => {
  it(
    'a SecureBuffer makes exactly the calls the simulated host predicts: mmap, ' +
      'memfd_secret, ftruncate, mmap MAP_FIXED, close, two madvise, mprotect',
    async () => {
      const scratch = mkdtempSync(join(tmpdir(), 'memshield-secret-strace-'));
      try {
        const log = join(scratch, 'strace.log');
        const child = await run('strace', [
          '-f',
          '-qq',
          '--seccomp-bpf',
          '-e',
          'trace=%memory,memfd_secret,ftruncate,close,access,faccessat,faccessat2',
          '-o',
          log,
          process.execPath,
          FIXTURE,
          'trace',
        ]);
        expect(child.status, child.stderr).toBe(0);
        const placed = lastJson<{ address: string; length: number; backing: string }>(child);
        expect(placed.backing).toBe('secret-memory');
        const calls = parseStrace(readFileSync(log, 'utf8'));
        const host = createSimulatedHost({ capabilities: { secretMemory: true } });
        const simulated = SecureBuffer.alloc(32, { host });
        host.clearTrace();
        const allocation = SecureBuffer.alloc(32, { host });
        const allocateTrace = host.trace();
        host.clearTrace();
        allocation.dispose();
        const disposeTrace = host.trace();
        simulated.dispose();
        const address = BigInt(placed.address);
        expect(
          observedSyscalls(betweenMarkers(calls, 'secret-begin', 'secret-allocated'), address, placed.length),
        ).toEqual(expectedSyscalls(allocateTrace));
        expect(observedSyscalls(betweenMarkers(calls, 'secret-dispose', 'secret-end'), address, placed.length)).toEqual(
          expectedSyscalls([...allocateTrace.filter((entry) => entry.op === 'map'), ...disposeTrace]).slice(1),
        );
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
  );
});

describe('without memfd_secret (ENOSYS injected by strace, as on a kernel without it)', () => {
  it(
    'falls back to ordinary locked pages and says so; secretMemory ' +
      'required refuses with NOT_SUPPORTED naming memfd_secret',
    async () => {
      const child = await run('strace', [
        '-f',
        '-qq',
        '-e',
        'trace=memfd_secret',
        '-e',
        'inject=memfd_secret:error=ENOSYS',
        '-o',
        '/dev/null',
        process.execPath,
        FIXTURE,
        'fallback',
      ]);
      expect(child.status, child.stderr).toBe(0);
      const report = lastJson<{
        capability: boolean;
        buffer: { backing: string; secretMemoryRequested: boolean; locked: boolean };
        heap: { secretMemoryBytes: number; lockedBytes: number; secretMemory: string };
        required: { code: string; syscall?: string; message: string };
      }>(child);
      expect(report.capability).toBe(false);
      expect(report.buffer).toEqual({ backing: 'anonymous', secretMemoryRequested: true, locked: true });
      expect(report.heap.secretMemoryBytes).toBe(0);
      expect(report.heap.lockedBytes).toBeGreaterThan(0);
      expect(report.required.code).toBe('NOT_SUPPORTED');
      expect(report.required.message).toMatch(
        /secret memory \(memfd_secret\) is not available on this machine .*secretMemory: 'preferred'/,
      );
    },
  );
});
