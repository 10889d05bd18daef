// Sizes beyond memory on the real kernel, each in a child (test/fixtures/linux-sizes.mjs), read
// from the kernel's own counts: present pages in /proc/self/pagemap and VmHWM (peak resident).
// A Secure allocation has every data page committed when it returns, or is refused then (never an
// OOM kill later); wipes never fault in a page that was never written. Measurements: docs/sizes.md.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nativeHost } from '../../src/default-memory.js';
import { lastJson, run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/linux-sizes.mjs', import.meta.url));
const MiB = 2 ** 20;
const secretMemory = nativeHost().capabilities().secretMemory === true;
const child = (mode: string) => run(process.execPath, [FIXTURE, mode]);

/**
 * A fresh memory cgroup (v1, or v2 where this process's cgroup delegates the memory controller)
 * below this process's own, limited to `limit` bytes; undefined where none can be made (not root,
 * no memory controller). Remove it with `rmdirSync` once its processes have ended.
 */
function memoryCgroup(limit: number): string | undefined {
  const own = readFileSync('/proc/self/cgroup', 'utf8');
  const v1 = /^\d+:(?:[^:\n]*,)?memory(?:,[^:\n]*)?:(\/[^\n]*)$/m.exec(own);
  const v2 = /^0::(\/[^\n]*)$/m.exec(own);
  const [parent, limitFile] = v1
    ? [`/sys/fs/cgroup/memory${v1[1] === '/' ? '' : v1[1]}`, 'memory.limit_in_bytes']
    : v2
      ? [`/sys/fs/cgroup${v2[1] === '/' ? '' : v2[1]}`, 'memory.max']
      : [];
  if (!parent || !existsSync(parent)) return undefined;
  if (!v1 && !readFileSync(`${parent}/cgroup.subtree_control`, 'utf8').includes('memory')) return undefined;
  const path = `${parent}/memshield-sizes-${process.pid}-${Date.now()}`;
  try {
    mkdirSync(path);
    writeFileSync(`${path}/${limitFile}`, String(limit));
    return path;
  } catch {
    if (existsSync(path)) rmdirSync(path);
    return undefined;
  }
}

describe('sizes beyond memory (real kernel, children)', () => {
  it(
    'SecureBuffer.alloc(1.5 × MemTotal) fails at once with ' +
      'ALLOCATION_FAILED naming MemAvailable, and maps nothing',
    async () => {
      const result = await child('too-big');
      expect(result.status, result.stderr).toBe(0);
      const report = lastJson<{ total: number; code: string; message: string; mapsChanges: number[] }>(result);
      expect(report.code).toBe('ALLOCATION_FAILED');
      expect(report.message).toContain(`a SecureBuffer of ${Math.floor(report.total * 1.5)} bytes`);
      expect(report.message).toMatch(/can still commit \(\d+ bytes: MemAvailable is \d+ bytes/);
      // V8's own mappings come and go; a leak would add lines every time (see the fixture).
      expect(report.mapsChanges, `maps line changes ${report.mapsChanges}`).toContain(0);
    },
  );

  it(
    'a Secure buffer has every data page resident when alloc returns (secret memory ' +
      'and ordinary), so its dispose faults nothing in; a Regular region none (control)',
    async () => {
      const result = await child('commit');
      expect(result.status, result.stderr).toBe(0);
      const { disposePeakGrowth, ...report } = lastJson<
        Record<string, { backing?: string; dataPages: number; resident: number }> & { disposePeakGrowth: number }
      >(result);
      if (process.getuid?.() === 0) expect(report.default.backing).toBe(secretMemory ? 'secret-memory' : 'anonymous');
      for (const name of ['default', 'ordinary']) {
        expect(report[name].dataPages, name).toBeGreaterThanOrEqual(8 * MiB);
        expect(report[name].resident, name).toBe(report[name].dataPages);
      }
      expect(report.regular.resident).toBe(0);
      expect(disposePeakGrowth).toBeLessThan(4 * MiB); // the wipe at dispose faulted nothing in
    },
  );

  it(
    'freeing a never-written 4 GiB NoAccess Regular region faults ' +
      'nothing in (VmHWM stays); writing 128 MiB moves it (control)',
    async () => {
      const result = await child('free-untouched');
      expect(result.status, result.stderr).toBe(0);
      const report = lastJson<{
        residentBeforeFree: number;
        peakBefore: number;
        peakAfter: number;
        peakAfterControl: number;
      }>(result);
      expect(report.residentBeforeFree).toBe(0);
      expect(report.peakAfter - report.peakBefore).toBeLessThan(32 * MiB); // Node's own noise; the region is 4 GiB
      expect(report.peakAfterControl - report.peakAfter).toBeGreaterThanOrEqual(96 * MiB);
    },
  );

  it(
    "the exit wipe of a SecureHeap with a 64 MiB arena leaves the arena's " +
      'resident pages as they were (only formatted pages are wiped)',
    async () => {
      const result = await child('heap-exit');
      expect(result.status, result.stderr).toBe(0);
      const report = lastJson<{
        before: { backing: string; arenaBytes: number; formattedPages: number; resident: number; peak: number };
        atEnd: { resident: number; peak: number; destroyed: boolean };
      }>(result);
      expect(report.atEnd.destroyed).toBe(true); // the exit wipe ran
      // The witness sees committed pages: the formatted ones are resident before the end.
      expect(report.before.resident).toBeGreaterThanOrEqual(report.before.formattedPages * 4096);
      expect(report.before.resident).toBeGreaterThan(0);
      expect(report.atEnd.resident).toBe(report.before.resident);
      expect(report.atEnd.peak - report.before.peak).toBeLessThan(32 * MiB);
      // Arenas are committed as they are formatted (secret memory: mlock cannot); with ordinary
      // pages, mlock commits the whole arena when it is made, and then nothing is left to fault in.
      if (report.before.backing === 'secret-memory')
        expect(report.before.resident).toBeLessThan(report.before.arenaBytes);
    },
  );

  it(
    'inside a 256 MiB memory cgroup a 512 MiB SecureBuffer (and lock() of 512 MiB) is ' +
      'refused naming the cgroup, while plain memory written past it is OOM-killed (control)',
    async (context) => {
      const cgroup = memoryCgroup(256 * MiB);
      if (!cgroup) {
        context.skip('skipped: needs root and a memory controller this process may delegate');
        return;
      }
      try {
        const inside = (mode: string) =>
          run('sh', ['-c', `echo $$ > ${cgroup}/cgroup.procs && exec "$0" "$1" "$2"`, process.execPath, FIXTURE, mode]);
        const refused = await inside('cgroup');
        expect(refused.status, refused.stderr).toBe(0);
        const report = lastJson<{
          code: string;
          message: string;
          fits: string;
          lock: { code: string; message: string; locked: boolean };
        }>(refused);
        const named =
          `the memory cgroup ${cgroup.replace(/^\/sys\/fs\/cgroup(\/memory)?/, '')} ` + `allows ${256 * MiB} bytes`;
        expect(report.code).toBe('ALLOCATION_FAILED');
        expect(report.message).toContain(named);
        expect(report.fits).toBe('none'); // what fits is allocated
        expect(report.lock).toMatchObject({ code: 'LOCK_FAILED', locked: false });
        expect(report.lock.message).toContain(named);
        const killed = await inside('cgroup-control');
        expect({ status: killed.status, signal: killed.signal }).toEqual({ status: null, signal: 'SIGKILL' });
      } finally {
        rmdirSync(cgroup);
      }
    },
  );
});
