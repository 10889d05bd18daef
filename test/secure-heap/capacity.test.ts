// Many secrets as an unprivileged user, under the default 8 MiB RLIMIT_MEMLOCK (run in a child
// without CAP_IPC_LOCK, so the kernel enforces the limit): all locked, in a handful of mappings,
// and a clear LOCK_FAILED with the numbers when the heap cannot lock another arena. The full
// run to failure (past 100,000 secrets) is npm run bench -- --only heap-live.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';
import { memlockChildUid, memlockEnforced, skipReasonOf } from '../helpers/privilege.mjs';

const FIXTURE = fileURLToPath(new URL('../fixtures/secure-heap-capacity.mjs', import.meta.url));
// The default 8 MiB, set explicitly: the counts below are what fits in it.
const LIMIT = 8 * 1024 * 1024;
const skip = skipReasonOf(memlockEnforced(LIMIT, [process.execPath, FIXTURE]));

interface CapacityReport {
  uid: number;
  limit: { soft: string; hard: string };
  allocated: number;
  failure?: { code: string; syscall?: string; errnoName?: string; message: string };
  vmLocked: number;
  vmLockedBefore: number;
  mapsBefore: number;
  mapsAfter: number;
  heapMappings: number;
  stats: { live: number; lockedBytes: number; reservedBytes: number; arenas: number };
  dataEntriesAllLocked: boolean;
  dataEntriesAllNoAccess: boolean;
  smapsLockedInArenas: number;
  sample: number[];
}

async function runUnprivileged(...args: string[]): Promise<CapacityReport> {
  const { argv } = memlockEnforced(LIMIT, [process.execPath, FIXTURE, ...args]) as { argv: string[] };
  const report = lastJson<CapacityReport>(await run(argv[0], argv.slice(1)));
  expect(report.uid).toBe(memlockChildUid);
  expect(report.limit.soft).toBe(String(LIMIT));
  return report;
}

describe.skipIf(skip !== undefined)(`SecureHeap capacity as an unprivileged user${skip ? ` (${skip})` : ''}`, () => {
  it('holds 20,000 live 32-byte secrets, all locked, in a few mappings', async () => {
    const report = await runUnprivileged('20000', '32');
    expect(report.allocated).toBe(20000);
    expect(report.stats.live).toBe(20000);
    expect(report.dataEntriesAllLocked).toBe(true);
    expect(report.dataEntriesAllNoAccess).toBe(true);
    expect(report.smapsLockedInArenas).toBe(report.stats.lockedBytes);
    expect(report.vmLocked - report.vmLockedBefore).toBe(report.stats.lockedBytes);
    expect(report.heapMappings).toBeLessThanOrEqual(3 * report.stats.arenas);
    expect(report.sample).toEqual([0, 10000 & 0xff, 19999 & 0xff]);
  });

  it('stops with LOCK_FAILED and the memlock numbers at the limit, every slot it gave out locked', async () => {
    const report = await runUnprivileged('0', '64', 'limit');
    expect(report.failure?.code).toBe('LOCK_FAILED');
    expect(report.failure?.syscall).toBe('mlock');
    expect(report.failure?.message).toMatch(new RegExp(`memlock limit is ${report.limit.soft} bytes`));
    expect(report.failure?.message).toMatch(/bytes locked by this heap/);
    expect(report.dataEntriesAllLocked).toBe(true);
    expect(report.stats.lockedBytes).toBe(report.vmLocked - report.vmLockedBefore);
    expect(report.vmLocked).toBeLessThanOrEqual(Number(report.limit.soft));
    expect(report.allocated).toBe(report.stats.live);
    expect(report.allocated).toBeGreaterThan(100_000); // 64-byte secrets: ~7.7 MiB of slots
  });
});
