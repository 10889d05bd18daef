// Secrets are never swapped out: every data page of every secret is locked (VmFlag `lo`, every
// resident page counted in smaps `Locked`), in secret memory and in ordinary pages, and VmLck grows
// by exactly what memshield says it locked. Where the memlock limit stops it — an unprivileged
// child under a 64 KiB RLIMIT_MEMLOCK — the caller is told: LOCK_FAILED or ALLOCATION_FAILED with
// the limit in the message, or, having chosen lock 'bestEffort', a buffer whose inspect() says it
// is not locked. The control: a Regular region, which is not locked, shows no `lo`.
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AllocationType,
  MemoryProtectionLevel,
  PlatformMemory,
  SecureBuffer,
  SecureHeap,
  type RegionInfo,
} from '../../src/index.js';
import { lastJson, overlapping, readSmaps, run, vmLockedBytes } from '../helpers/kernel.js';
import { nativeHost } from '../../src/default-memory.js';
import { memlockChildUid, memlockEnforced, skipReasonOf } from '../helpers/privilege.mjs';

const FIXTURE = fileURLToPath(new URL('../fixtures/leaks-swap.mjs', import.meta.url));
const LIMIT = 64 * 1024;
// memfd_secret is a kernel option (CONFIG_SECRETMEM, and secretmem.enable on 5.14–6.4): probed, not assumed.
const secretMemoryHere = nativeHost().capabilities().secretMemory === true;

/** Whether every smaps entry over a region's data pages carries VmFlag lo. */
function lockedInKernel(info: RegionInfo): boolean {
  const entries = overlapping(readSmaps(), info.dataPages.address, info.dataPages.length);
  return entries.length > 0 && entries.every((entry) => entry.flags.has('lo'));
}

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const undo of cleanup.splice(0)) undo();
});

describe('secret pages are locked (this process, CAP_IPC_LOCK)', () => {
  it.each(['preferred', 'off'] as const)(
    'SecureBuffer and SecureHeap (secretMemory %s): every data page lo, Locked, and VmLck grows by exactly stats',
    (secretMemory) => {
      const before = vmLockedBytes();
      const buffers = Array.from({ length: 8 }, () => SecureBuffer.alloc(64, { secretMemory }));
      const heap = new SecureHeap({ secretMemory, arenaSize: 32 * 1024 });
      const slots = Array.from({ length: 400 }, () => heap.alloc(32));
      cleanup.push(() => {
        for (const buffer of buffers) buffer.dispose();
        heap.destroy();
      });
      // Touch every page holding a secret: resident, so smaps counts it in Locked (secret memory faults in lazily).
      for (const secret of [...buffers, ...slots])
        secret.update((view) => {
          view[0] = 1;
        });
      const infos = [...buffers.map((buffer) => buffer.inspect()), ...heap.inspect().arenas];
      for (const info of infos) {
        expect(info.locked).toBe(true);
        expect(lockedInKernel(info)).toBe(true);
      }
      for (const secret of [...buffers, ...slots.slice(0, 5)]) {
        const { dataPages } = secret.inspect();
        const page = overlapping(readSmaps(), dataPages.address, 4096);
        expect(page.every((entry) => entry.flags.has('lo') && entry.lockedBytes > 0)).toBe(true);
      }
      const locked =
        buffers.reduce((sum, buffer) => sum + buffer.inspect().dataPages.length, 0) + heap.stats().lockedBytes;
      expect(vmLockedBytes() - before).toBe(locked);
    },
  );

  it('a PlatformMemory Secure region: lo on its data pages; the control, a Regular region, shows no lo', () => {
    const secure = PlatformMemory.allocate(100, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    const regular = PlatformMemory.allocate(100, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
    cleanup.push(() => {
      PlatformMemory.free(secure);
      PlatformMemory.free(regular);
    });
    PlatformMemory.write(regular, new Uint8Array(100).fill(1));
    expect(lockedInKernel(PlatformMemory.inspect(secure))).toBe(true);
    expect(lockedInKernel(PlatformMemory.inspect(regular))).toBe(false);
  });
});

interface Held {
  backing: string;
  locked: boolean;
  lockRequested: boolean;
  secretMemoryRequested: boolean;
  kernelLocked: boolean;
}
interface Failure {
  code: string;
  syscall?: string;
  errnoName?: string;
  message: string;
}
interface SwapReport {
  uid: number;
  memlockLimit: number;
  vmLockedAtEnd: number;
  runs: Array<{ secretMemory: string; lock: string; count: number; failure?: Failure; held: Held[] }>;
  heaps: Array<{
    lock: string;
    count: number;
    failure?: Failure;
    stats: { lockedBytes: number; secretMemoryBytes: number };
    dataBytes: number;
  }>;
}

// 64 KiB is below any hard limit; what can stop the child is privilege (see privilege.mjs).
const unprivilegedSkip = skipReasonOf(memlockEnforced(LIMIT, [process.execPath, FIXTURE]));

describe.skipIf(unprivilegedSkip !== undefined)(
  `under a ${LIMIT / 1024} KiB memlock limit, ` +
    `unprivileged: the caller is told${unprivilegedSkip ? ` (${unprivilegedSkip})` : ''}`,
  () => {
    let report: SwapReport;
    const runOf = (secretMemory: string, lock: string) =>
      report.runs.find((entry) => entry.secretMemory === secretMemory && entry.lock === lock)!;
    beforeAll(async () => {
      const { argv } = memlockEnforced(LIMIT, [process.execPath, FIXTURE]) as { argv: string[] };
      const child = await run(argv[0], argv.slice(1));
      expect(child.status, child.stderr).toBe(0);
      report = lastJson<SwapReport>(child);
      expect(report.uid).toBe(memlockChildUid);
      expect(report.memlockLimit).toBe(LIMIT);
    });

    it.each(['preferred', 'off'])(
      'secretMemory %s, lock required: stops with LOCK_FAILED, the limit ' +
        'and mlock in the message; every buffer handed out is locked',
      (secretMemory) => {
        const entry = runOf(secretMemory, 'required');
        expect(entry.count).toBe(LIMIT / 4096);
        expect(entry.failure).toMatchObject({ code: 'LOCK_FAILED', syscall: 'mlock', errnoName: 'ENOMEM' });
        expect(entry.failure!.message).toMatch(/the memlock limit is 65536 bytes \(soft\)/);
        expect(entry.held.every((held) => held.locked && held.kernelLocked)).toBe(true);
      },
    );

    it.skipIf(!secretMemoryHere)(
      `secretMemory required: stops with ALLOCATION_FAILED from memfd_secret (EAGAIN), saying secret memory counts ` +
        `against RLIMIT_MEMLOCK${secretMemoryHere ? '' : ' (skipped: memfd_secret does not work on this kernel)'}`,
      () => {
        const entry = runOf('required', 'required');
        expect(entry.count).toBe(LIMIT / 4096);
        expect(entry.failure).toMatchObject({
          code: 'ALLOCATION_FAILED',
          syscall: 'memfd_secret',
          errnoName: 'EAGAIN',
        });
        expect(entry.failure!.message).toMatch(/counts against RLIMIT_MEMLOCK: the limit is 65536 bytes/);
        expect(entry.held.every((held) => held.backing === 'secret-memory' && held.kernelLocked)).toBe(true);
      },
    );

    it.each(['preferred', 'off'])(
      'secretMemory %s, lock bestEffort: goes on past the limit, and ' +
        'every buffer past it says locked: false (the kernel agrees)',
      (secretMemory) => {
        const entry = runOf(secretMemory, 'bestEffort');
        expect(entry.failure).toBeUndefined();
        const locked = entry.held.filter((held) => held.locked);
        const unlocked = entry.held.filter((held) => !held.locked);
        expect(locked.length).toBe(LIMIT / 4096);
        expect(unlocked.length).toBeGreaterThan(0);
        expect(locked.every((held) => held.kernelLocked)).toBe(true);
        expect(unlocked.every((held) => held.lockRequested && !held.kernelLocked && held.backing === 'anonymous')).toBe(
          true,
        );
        // preferred also says it asked for secret memory and did not get it.
        expect(unlocked.every((held) => held.secretMemoryRequested === (secretMemory === 'preferred'))).toBe(true);
      },
    );

    it(
      'a SecureHeap stops growing with LOCK_FAILED; with lock ' +
        'bestEffort its stats show the arenas it could not lock',
      () => {
        const [required, bestEffort] = report.heaps;
        expect(required.failure).toMatchObject({ code: 'LOCK_FAILED' });
        expect(required.stats.lockedBytes).toBe(required.dataBytes);
        expect(bestEffort.failure).toBeUndefined();
        expect(bestEffort.stats.lockedBytes).toBeLessThan(bestEffort.dataBytes);
        expect(bestEffort.stats.lockedBytes).toBeLessThanOrEqual(LIMIT);
      },
    );

    it('gave every locked byte back: VmLck is 0 at the end', () => {
      expect(report.vmLockedAtEnd).toBe(0);
    });
  },
);
