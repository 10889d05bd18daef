// The real RLIMIT_MEMLOCK (8 MiB): root (as CI runs) has CAP_IPC_LOCK and the kernel ignores the limit,
// so a child runs as nobody without capabilities (setpriv; as an ordinary user, the child only sets
// its limit: test/helpers/privilege.mjs) and allocates 64 KiB Secure regions until mlock fails. The
// child reports what /proc/self/smaps says (test/fixtures/linux-memlock-limit.mjs).
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';
import { memlockChildUid, memlockEnforced, skipReasonOf } from '../helpers/privilege.mjs';

const SIZE = 64 * 1024;
const LIMIT = 8 * 1024 * 1024;
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Failure {
  isMemoryProtectionError: boolean;
  code: string;
  syscall: string;
  errno: number;
  errnoName: string;
  message: string;
  lockedNow: number;
  mapsBefore: number;
  mapsAfter: number;
  dontDumpBefore: number;
  dontDumpUnchanged: boolean;
}
interface Report {
  uid: number;
  limit: { soft: string; hard: string };
  lockedAtStart: number;
  failures: Failure[];
  allocated: number;
  regions: Array<{
    locked: boolean;
    perms: string;
    flags: string[];
    lockedBytes: number;
    dataEntryIsDataPages: boolean;
    wholeMappingMapped: boolean;
  }>;
  vmLocked: number;
  lockedInSmaps: number;
  dontDumpOutsideRegions: number;
  vmasOfRegions: number;
  bestEffort: {
    regionLocked: boolean;
    inspectLocked: boolean;
    lockRequested: boolean;
    dumpExcluded: boolean;
    flags: string[];
    lockedBytes: number;
    vmLockedGrowth: number;
    tail: number[];
  };
  afterFree: {
    vmLocked: number;
    dontDump: number;
    stats: { liveRegions: number; mappedBytes: number; lockedBytes: number };
  };
}

let report: Report;
let scratch = '';
// The default 8 MiB limit, set explicitly so that a machine configured otherwise runs the same test.
// (The child runs from a copy in the temporary directory, which nobody can read.)
const skip = skipReasonOf(memlockEnforced(LIMIT, []));

beforeAll(async () => {
  if (skip) return;
  // A copy nobody can read wherever the checkout lives: dist, koffi, the fixtures.
  scratch = mkdtempSync(join(tmpdir(), 'memshield-memlock-'));
  // (@koromix holds koffi's prebuilt binary where npm installed one.)
  for (const path of [
    'dist',
    'package.json',
    'node_modules/koffi',
    'node_modules/@koromix',
    'test/fixtures/linux-kit.mjs',
    'test/fixtures/memory-reader.mjs', // linux-kit re-exports from it
    'test/fixtures/linux-memlock-limit.mjs',
  ]) {
    if (existsSync(join(root, path))) cpSync(join(root, path), join(scratch, path), { recursive: true });
  }
  await run('chmod', ['-R', 'a+rX', scratch]);
  const { argv } = memlockEnforced(LIMIT, [
    process.execPath,
    join(scratch, 'test/fixtures/linux-memlock-limit.mjs'),
  ]) as { argv: string[] };
  const child = await run(argv[0], argv.slice(1), { cwd: scratch });
  expect(child.status, child.stderr).toBe(0);
  report = lastJson<Report>(child);
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(skip !== undefined)(
  `Secure allocations up to the real memlock limit, as an unprivileged user${skip ? ` (${skip})` : ''}`,
  () => {
    it('the child runs without CAP_IPC_LOCK (as nobody under root) under the 8 MiB memlock limit', () => {
      expect(report.uid).toBe(memlockChildUid);
      expect(report.limit).toEqual({ soft: String(LIMIT), hard: String(LIMIT) });
    });

    it('allocates until the limit is reached, then fails with LOCK_FAILED from mlock, errno ENOMEM', () => {
      const soft = Number(report.limit.soft);
      expect(report.allocated).toBe(Math.floor((soft - report.lockedAtStart) / SIZE));
      for (const failure of report.failures) {
        expect(failure).toMatchObject({
          isMemoryProtectionError: true,
          code: 'LOCK_FAILED',
          syscall: 'mlock',
          errno: 12,
          errnoName: 'ENOMEM',
        });
      }
    });

    it('the message carries the limit, what is locked now, and what to do', () => {
      const { message, lockedNow } = report.failures[0];
      expect(message).toContain(
        `the memlock limit is ${report.limit.soft} bytes (soft) / ${report.limit.hard} bytes (hard)`,
      );
      expect(message).toContain(`this process has ${lockedNow} bytes locked now`);
      expect(message).toMatch(/raise the limit \(ulimit -l.*or pass \{ lock: 'bestEffort' \}/);
    });

    it(
      'a failed allocation leaves nothing half-mapped: no ' + 'new dump-excluded entry, no new mapping, no new lock',
      () => {
        for (const { message, ...failure } of report.failures) {
          const context = JSON.stringify(failure);
          expect(failure.dontDumpBefore, context).toBeGreaterThan(0); // control: the live regions' entries are seen
          expect(failure.dontDumpUnchanged, context).toBe(true);
          expect(failure.lockedNow, context).toBe(report.vmLocked);
        }
        // /proc/self/maps also counts V8's own mappings, which come and go on their own (a GC may
        // return some during an attempt: a negative delta): a leak would add lines on every attempt,
        // so at least one attempt must show exactly the same count.
        const deltas = report.failures.map((failure) => failure.mapsAfter - failure.mapsBefore);
        expect(deltas, `maps line deltas ${deltas}`).toContain(0);
        expect(report.dontDumpOutsideRegions).toBe(0);
      },
    );

    it('every region it did allocate is really locked: lo and Locked 64 kB on its data, whole mapping present', () => {
      expect(report.regions).toHaveLength(report.allocated);
      for (const region of report.regions) {
        expect(region).toMatchObject({
          locked: true,
          perms: 'rw-p',
          lockedBytes: SIZE,
          dataEntryIsDataPages: true,
          wholeMappingMapped: true,
        });
        expect(region.flags).toEqual(expect.arrayContaining(['lo', 'dd', 'dc']));
      }
      // Each region is 3 VMAs (guard, data, guard) of which neighbouring guards may merge.
      expect(report.vmasOfRegions).toBeGreaterThanOrEqual(2 * report.allocated + 1);
      expect(report.vmasOfRegions).toBeLessThanOrEqual(3 * report.allocated);
    });

    it("VmLck is exactly the regions' data and stays within the limit", () => {
      expect(report.vmLocked - report.lockedAtStart).toBe(report.allocated * SIZE);
      expect(report.lockedInSmaps).toBe(report.vmLocked);
      expect(report.vmLocked).toBeLessThanOrEqual(Number(report.limit.soft));
      expect(report.vmLocked + SIZE).toBeGreaterThan(Number(report.limit.soft));
    });

    it('{ lock: "bestEffort" } then gives a region that says it is not locked, and the kernel agrees', () => {
      expect(report.bestEffort).toMatchObject({
        regionLocked: false,
        inspectLocked: false,
        lockRequested: true,
        dumpExcluded: true,
        lockedBytes: 0,
        vmLockedGrowth: 0,
        tail: [1, 2, 3],
      });
      expect(report.bestEffort.flags).not.toContain('lo');
      expect(report.bestEffort.flags).toEqual(expect.arrayContaining(['dd', 'dc']));
    });

    it('freeing everything brings VmLck back to 0 and leaves no dump-excluded mapping', () => {
      expect(report.afterFree).toEqual({
        vmLocked: 0,
        dontDump: 0,
        stats: { liveRegions: 0, mappedBytes: 0, lockedBytes: 0 },
      });
    });
  },
);
