// Worker threads: a thread's secrets are wiped, unlocked and unmapped when it ends, however it
// ends, and the main thread's process.exit() wipes every thread's secrets. Each case is a child
// process (test/fixtures/workers.mjs) that reads the kernel's own account: VmLck, /proc/self/maps,
// memshield's dump-excluded mappings in smaps, and the bytes through /proc/self/mem. Controls: the
// same readers see the secrets with the wipe turned off, or when the main thread never loaded
// memshield (a terminated worker's memory then stays mapped, locked and readable).
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';
import { memlockEnforced, skipReasonOf } from '../helpers/privilege.mjs';

const FIXTURE = fileURLToPath(new URL('../fixtures/workers.mjs', import.meta.url));
// The default 8 MiB of memlock, enforced: nobody under root, this user's own limit otherwise.
const MEMLOCK = 8 * 1024 * 1024;
const unprivilegedSkip = skipReasonOf(memlockEnforced(MEMLOCK, [process.execPath, FIXTURE]));

interface KernelNow {
  vmLocked: number;
  mappings: number;
  dontDump: number;
}

const FD_LIMIT_FIXTURE = fileURLToPath(new URL('../fixtures/thread-fd-limit.mjs', import.meta.url));
const fdLimited = (mode: string) => run('prlimit', ['--nofile=256:256', process.execPath, FD_LIMIT_FIXTURE, mode]);
const fixture = (...args: string[]) => run(process.execPath, [FIXTURE, ...args]);
const unprivileged = (...args: string[]) => {
  const { argv } = memlockEnforced(MEMLOCK, [process.execPath, FIXTURE, ...args]) as { argv: string[] };
  return run(argv[0], argv.slice(1));
};

describe('worker threads', () => {
  for (const ending of ['return', 'exit', 'throw']) {
    it(
      `a worker that ends by ${ending === 'exit' ? 'process.exit()' : ending === 'throw' ? 'throwing' : 'returning'} ` +
        `has wiped its secrets before its own 'exit' listeners (control: wipe off)`,
      async () => {
        const [wiped, kept] = await Promise.all([fixture('own-end', ending), fixture('own-end', ending, 'off')]);
        const lines = (result: typeof wiped) =>
          result.stdout
            .trim()
            .split('\n')
            .map(
              (line) =>
                JSON.parse(line) as { at?: string; seen?: string[]; vmLockedBefore?: number; vmLockedAfter?: number },
            );
        expect(lines(wiped).find((line) => line.at === 'worker-exit')?.seen).toEqual(['zero', 'zero']);
        expect(lines(kept).find((line) => line.at === 'worker-exit')?.seen).toEqual(['secret', 'secret']);
        const end = lastJson<{ vmLockedBefore: number; vmLockedAfter: number }>(wiped);
        expect(end.vmLockedAfter).toBe(end.vmLockedBefore);
      },
    );
  }

  for (const nested of [false, true]) {
    it(
      `a terminate()d ${nested ? "worker's own worker" : 'worker'} (no JS runs in it) is given back ` +
        'by the main thread: ' +
        'unmapped, unlocked',
      async () => {
        const report = lastJson<{
          baseline: number;
          held: { seen: string[]; vmLocked: number };
          ended: { mapped: boolean[]; seen: string[]; vmLocked: number };
        }>(await fixture('terminate', ...(nested ? ['nested'] : [])));
        expect(report.held.seen).toEqual(['secret', 'secret']);
        expect(report.held.vmLocked).toBeGreaterThan(report.baseline);
        expect(report.ended.mapped).toEqual([false, false]);
        expect(report.ended.seen).toEqual(['EIO', 'EIO']); // nothing mapped there to read
        expect(report.ended.vmLocked).toBe(report.baseline);
      },
    );
  }

  it(
    'control: with no memshield in the main thread, a terminate()d ' +
      'worker leaves its secrets mapped, locked and readable',
    async () => {
      const report = lastJson<{ baseline: number; ended: { mapped: boolean[]; seen: string[]; vmLocked: number } }>(
        await fixture('terminate', 'no-memshield'),
      );
      expect(report.ended.mapped).toEqual([true, true]);
      expect(report.ended.seen).toEqual(['secret', 'secret']);
      expect(report.ended.vmLocked).toBeGreaterThan(report.baseline);
    },
  );

  it('40 workers terminate()d in the middle of allocating and ' +
    "freeing leave VmLck and memshield's mappings where they were", async () => {
    const result = await fixture('terminate-busy', '40');
    expect(result.signal, result.stderr).toBeNull();
    const { before, after } = lastJson<{ before: KernelNow; after: KernelNow }>(result);
    // Before memshield advised MADV_DONTDUMP first: a worker stopped between its secret memory's
    // mmap and that advice left a locked page the registry would not trust (measured 20-60 kB).
    expect(after.vmLocked).toBe(before.vmLocked);
    expect(after.dontDump).toBe(before.dontDump);
  }, 300_000);

  it('process.exit() in the main thread wipes the secrets of workers still running (control: wipe off)', async () => {
    const [wiped, kept] = await Promise.all([fixture('main-exit'), fixture('main-exit', 'off')]);
    const secrets = ['secret', 'secret', 'secret', 'secret'];
    expect(wiped.status).toBe(0);
    expect(lastJson<{ before: string[]; atExit: string[] }>(wiped)).toMatchObject({
      before: secrets,
      atExit: ['zero', 'zero', 'zero', 'zero'],
    });
    expect(lastJson<{ atExit: string[] }>(kept).atExit).toEqual(secrets);
  });

  it('SIGTERM to the main thread wipes the secrets of workers still running, and the process dies by it', async () => {
    const result = await fixture('main-exit', 'signal');
    expect(result.signal).toBe('SIGTERM');
    expect(lastJson<{ before: string[]; atExit: string[] }>(result)).toMatchObject({
      before: ['secret', 'secret', 'secret', 'secret'], // the reader sees them: the control
      atExit: ['zero', 'zero', 'zero', 'zero'],
    });
  });

  it.skipIf(unprivilegedSkip !== undefined)(
    `unprivileged (8 MiB memlock), 200 workers ending the four ways leave ` +
      `VmLck and memshield's mappings where they were${unprivilegedSkip ? ` (${unprivilegedSkip})` : ''}`,
    async () => {
      const [holders, koffiOnly] = await Promise.all([
        unprivileged('churn', '200'),
        unprivileged('churn', '200', 'koffi-only'),
      ]);
      const withSecrets = lastJson<{ start: KernelNow; before: KernelNow; after: KernelNow }>(holders);
      const control = lastJson<{ start: KernelNow; before: KernelNow; after: KernelNow }>(koffiOnly);
      expect(holders.stderr).not.toMatch(/LOCK_FAILED/);
      // VmLck and memshield's own (dump-excluded) mappings: exactly where they were, even at the
      // start, before any worker ran.
      expect(withSecrets.after.vmLocked).toBe(withSecrets.start.vmLocked);
      expect(withSecrets.after.dontDump).toBe(withSecrets.start.dontDump);
      // The total mapping count cannot be compared with the start: each worker that loaded koffi
      // leaves koffi 3.3.4's per-thread call stack and heap behind (3 mappings, measured in
      // docs/workers.md), and the baseline `before` is taken after a warm-up of four workers that
      // already loaded it. So the growth from that baseline is compared with the control's, whose
      // workers load koffi and nothing else, over the same warm-up: memshield may add nothing beyond
      // it, give or take glibc's malloc arenas (made lazily, at most 8 per core, 2 mappings each).
      const growth = withSecrets.after.mappings - withSecrets.before.mappings;
      const koffiGrowth = control.after.mappings - control.before.mappings;
      const tolerance = 2 * 8 * availableParallelism();
      expect(
        Math.abs(growth - koffiGrowth),
        `memshield's workers: +${growth} mappings; koffi-only workers: +${koffiGrowth} (from ` +
          `${JSON.stringify({ memshield: withSecrets.start.mappings, koffi: control.start.mappings })} at the start)`,
      ).toBeLessThanOrEqual(tolerance);
    },
    600_000,
  );

  it(
    "a sweep with no fd to spare (EMFILE on /proc) keeps a running worker's " +
      'secret; the same sweep gives back a terminate()d one (control)',
    async () => {
      const result = await fdLimited('sweep');
      expect(result.signal).toBeNull(); // before: the worker's pages were unmapped under it (SIGSEGV)
      const report = lastJson<{
        held: string;
        sweep: { code: string; result: number };
        afterSweep: string;
        ended: { mapped: boolean; seen: string };
      }>(result);
      expect(report.held).toBe('secret');
      expect(report.sweep).toEqual({ code: 'EMFILE', result: 0 });
      expect(report.afterSweep).toBe('secret');
      expect(report.ended).toEqual({ mapped: false, seen: 'EIO' });
    },
  );

  it(
    'a registry setup that failed with EMFILE is tried ' + 'again: a worker terminate()d later is still given back',
    async () => {
      const report = lastJson<{
        setup: { code: string; result: number };
        held: string;
        ended: { mapped: boolean; seen: string };
      }>(await fdLimited('setup'));
      expect(report.setup).toEqual({ code: 'EMFILE', result: 0 }); // the setup did fail
      expect(report.held).toBe('secret');
      // before: the failure was kept, the secret stayed mapped
      expect(report.ended).toEqual({ mapped: false, seen: 'EIO' });
    },
  );
});
