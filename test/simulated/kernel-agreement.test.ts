// The simulated host answers raw host calls as the Linux kernel does: one script of map, protect,
// lock, unlock, advise and unmap calls runs in an unprivileged child (so RLIMIT_MEMLOCK applies)
// against the Linux host and against a simulated host with the same limit, and every answer,
// errno and locked-page count must be equal.
// What varies by kernel build or machine state is probed by the child and given to the simulated
// host (MADV_HUGEPAGE known, huge pages reserved), or left out of the comparison: smaps' `ac`
// (VM_ACCOUNT) on a split-off page depends on where mmap placed the mapping and what it merged
// with, which no test controls here; test/linux/vm-account.test.ts reproduces both answers.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';
import { expectFreshBuild } from '../helpers/fresh-build.js';
import { memlockChildUid, memlockEnforced, skipReasonOf } from '../helpers/privilege.mjs';

const child = fileURLToPath(new URL('./kernel-agreement-child.mjs', import.meta.url));
const PAGE = 4096;

interface Report {
  uid: number;
  memlockLimit: number;
  /** What the child found on this machine and gave the simulated host too. */
  capabilities: { explicitHugePages: boolean; transparentHugePages: boolean };
  linux: Array<[string, string | number]>;
  simulated: Array<[string, string | number]>;
}

/** Runs the child without CAP_IPC_LOCK (as nobody under root), with RLIMIT_MEMLOCK = `limit` bytes. */
async function runUnprivileged(limit: number): Promise<Report> {
  expectFreshBuild();
  const { argv } = memlockEnforced(limit, [process.execPath, child]) as { argv: string[] };
  const result = await run(argv[0], argv.slice(1));
  if (result.status !== 0) throw new Error(`the child failed (${result.status} ${result.signal}): ${result.stderr}`);
  return lastJson<Report>(result);
}

type Answers = Report['linux'];

/** The per-page smaps views, without `ac`: VM_ACCOUNT after a split is machine state (see above). */
const pageViews = (answers: Answers): Answers =>
  answers.filter(([step]) => step.includes(': page ')).map(([step, view]) => [step, String(view).replace(/ ac\b/, '')]);
/** Everything but the per-page views: the answers of the calls and the locked-page counts. */
const callAnswers = (answers: Answers): Answers => answers.filter(([step]) => !step.includes(': page '));

// The limits used here are below any hard limit; what can stop the child is privilege (see privilege.mjs).
const skip = process.platform === 'linux' ? skipReasonOf(memlockEnforced(0, [process.execPath, child])) : undefined;

describe.runIf(process.platform === 'linux' && skip === undefined)(
  `the simulated host agrees with the Linux kernel${skip ? ` (${skip})` : ''}`,
  () => {
    it('on mlock limits, partial locks, NoAccess locks, alignment and advice, call by call', async () => {
      const report = await runUnprivileged(4 * PAGE);
      expect(report.uid).toBe(memlockChildUid);
      expect(report.memlockLimit).toBe(4 * PAGE);
      expect(callAnswers(report.simulated)).toEqual(callAnswers(report.linux));
      // The script does reach the cases it is about (so agreement is not agreement on nothing).
      const answers = new Map(report.linux);
      expect(answers.get('lock b[0,1): one page over the limit')).toBe('ENOMEM');
      expect(answers.get('lock b[1,2): NoAccess pages cannot be faulted in')).toBe('ENOMEM');
      expect(answers.get('after locking a NoAccess page')).toBe('4 pages locked');
      expect(answers.get('protect a at an unaligned offset')).toBe('EINVAL');
      expect(answers.get('map explicit huge pages')).toBe(report.capabilities.explicitHugePages ? 'mapped' : 'ENOMEM');
      expect(answers.get('advise a[0,4) HugePage')).toBe(report.capabilities.transparentHugePages ? 0 : 'EINVAL');
      // a's pages were faulted in by mlock, so they keep `ac` on every kernel.
      const hg = report.capabilities.transparentHugePages ? ' hg' : '';
      expect(answers.get('a after protect, lock and advice: page 3')).toBe(`r--p rd mr mw me lo ac dd${hg}`);
    });

    it(
      'on what smaps shows for each page: permissions and ' + 'VmFlags (lo, dd, hg; not ac, which is machine state)',
      async () => {
        const report = await runUnprivileged(4 * PAGE);
        expect(pageViews(report.linux)).toHaveLength(6);
        expect(pageViews(report.simulated)).toEqual(pageViews(report.linux));
      },
    );

    it('on a zero memlock limit: mlock fails with EPERM, munlock succeeds', async () => {
      const report = await runUnprivileged(0);
      expect(report.memlockLimit).toBe(0);
      expect(report.linux).toEqual([
        ['lock with a zero limit', 'EPERM'],
        ['unlock with a zero limit', 0],
      ]);
      expect(report.simulated).toEqual(report.linux);
    });
  },
);
