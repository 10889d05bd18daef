// The suite's one privilege detection (test/helpers/privilege.mjs), checked against the kernel's
// own answer both ways: in this process (root in CI, an ordinary user on a laptop) and in a child
// made unprivileged. Under RLIMIT_MEMLOCK 0, mlock succeeds exactly when the process holds
// CAP_IPC_LOCK, so the probe's `locked` must equal what the detection calls `ipcLock`.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastJson, run } from './kernel.js';
import {
  NOBODY,
  asNobody,
  memlockChildUid,
  memlockEnforced,
  needsRootReason,
  privilege,
  skipReasonOf,
  unprivileged,
} from './privilege.mjs';

const PROBE = fileURLToPath(new URL('../fixtures/privilege-probe.mjs', import.meta.url));
const PAGE = 4096;

interface Probe {
  privilege: { uid: number; ipcLock: boolean; canBecomeNobody: boolean };
  uid: number;
  memlockLimit: string;
  locked: boolean;
}

async function probe(argv: string[]): Promise<Probe> {
  const result = await run(argv[0], argv.slice(1));
  expect(result.status, result.stderr).toBe(0);
  return lastJson<Probe>(result);
}

describe.runIf(process.platform === 'linux')("the suite's privilege detection agrees with the kernel", () => {
  it(`in this process (uid ${privilege.uid}): CAP_IPC_LOCK exactly when mlock ignores a zero limit`, async () => {
    const report = await probe(['prlimit', '--memlock=0:0', '--', process.execPath, PROBE]);
    expect(report.privilege).toEqual(privilege);
    expect(report.uid).toBe(process.geteuid!());
    expect(report.memlockLimit).toBe('0');
    expect(report.locked).toBe(privilege.ipcLock);
  });

  it.skipIf(needsRootReason !== undefined)(
    `in a child made nobody by setpriv: no CAP_IPC_LOCK, cannot ` +
      `switch users, and mlock obeys the zero limit${needsRootReason ? ` (${needsRootReason})` : ''}`,
    async () => {
      const report = await probe(['prlimit', '--memlock=0:0', '--', ...asNobody([process.execPath, PROBE])]);
      expect(report.privilege).toEqual({ uid: NOBODY, ipcLock: false, canBecomeNobody: false });
      expect(report.locked).toBe(false);
    },
  );

  const enforcedSkip = skipReasonOf(memlockEnforced(PAGE, [process.execPath, PROBE]));
  it.skipIf(enforcedSkip !== undefined)(
    `memlockEnforced starts a child on which the kernel enforces ` +
      `the limit: one page locks, two do not${enforcedSkip ? ` (${enforcedSkip})` : ''}`,
    async () => {
      const onePage = await probe((memlockEnforced(PAGE, [process.execPath, PROBE, '1']) as { argv: string[] }).argv);
      const twoPages = memlockEnforced(PAGE, [process.execPath, PROBE, '2']) as { argv: string[] };
      // The control: the same arrangement refuses what is over the limit (so the limit is real).
      expect({ uid: onePage.uid, ipcLock: onePage.privilege.ipcLock, locked: onePage.locked }).toEqual({
        uid: memlockChildUid,
        ipcLock: false,
        locked: true,
      });
      expect((await probe(twoPages.argv)).locked).toBe(false);
    },
  );

  // What bench/heap.bench.mjs runs its live-secrets children with.
  const plain = unprivileged([process.execPath, PROBE]);
  const plainSkip = 'skip' in plain ? plain.skip : undefined;
  it.skipIf(plainSkip !== undefined)(
    `unprivileged starts a child without CAP_IPC_LOCK, on which ` +
      `the kernel enforces the limit it inherits${plainSkip ? ` (${plainSkip})` : ''}`,
    async () => {
      const { argv, user } = plain as { argv: string[]; user: string };
      const report = await probe(['prlimit', '--memlock=0:0', '--', ...argv]);
      expect({ uid: report.uid, ipcLock: report.privilege.ipcLock, locked: report.locked }).toEqual({
        uid: memlockChildUid,
        ipcLock: false,
        locked: false,
      });
      expect(user).toContain(`uid ${memlockChildUid}`);
    },
  );
});
