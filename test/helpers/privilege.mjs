// What this run of the suite (and of the benchmarks) may do, decided in one place from the
// kernel's own account of the process (/proc/self/status: effective uid and capabilities). Plain
// JavaScript, so that the child fixtures (plain node), the tests (TypeScript) and bench/ read the
// same answer.
//
// Tests that need the kernel to enforce RLIMIT_MEMLOCK run their child through
// `memlockEnforced`: as root (CAP_IPC_LOCK makes mlock ignore the limit) the child becomes
// nobody without capabilities (setpriv); as an ordinary user it already lacks CAP_IPC_LOCK and
// only lowers its own limit (prlimit). Tests that need another user (`asNobody`) run only where
// the suite may switch users, and say why they are skipped elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';

/** nobody: the user an unprivileged child becomes when the suite runs as root. */
export const NOBODY = 65534;

// Capability bits (include/uapi/linux/capability.h).
const CAP_SETGID = 6;
const CAP_SETUID = 7;
const CAP_SETPCAP = 8;
const CAP_IPC_LOCK = 14;
const CAP_SYS_PTRACE = 19;

/**
 * The privileges a process holds, from its /proc/PID/status text.
 * @param {string} [status] the text of /proc/self/status (this process when omitted)
 * @returns {{ uid: number, ipcLock: boolean, canBecomeNobody: boolean }}
 *   `ipcLock`: mlock ignores RLIMIT_MEMLOCK; `canBecomeNobody`: setpriv can switch the user,
 *   clear the groups and drop every capability (CAP_SETUID, CAP_SETGID and CAP_SETPCAP).
 */
export function privilegeOf(status = readFileSync('/proc/self/status', 'utf8')) {
  const uid = Number(/^Uid:\s+\d+\s+(\d+)/m.exec(status)[1]); // the effective uid
  const effective = BigInt(`0x${/^CapEff:\s+([0-9a-f]+)/m.exec(status)[1]}`);
  const has = (bit) => ((effective >> BigInt(bit)) & 1n) === 1n;
  return {
    uid,
    ipcLock: has(CAP_IPC_LOCK),
    canBecomeNobody: has(CAP_SETUID) && has(CAP_SETGID) && has(CAP_SETPCAP),
  };
}

/**
 * This process's privileges, read once. Without /proc (macOS: bench/ may load this module there)
 * root is taken to ignore the memlock limit and not to be able to drop that in a child.
 */
export const privilege = existsSync('/proc/self/status')
  ? privilegeOf()
  : { uid: process.getuid?.() ?? -1, ipcLock: process.getuid?.() === 0, canBecomeNobody: false };

/** Why a test that needs another user is skipped here (undefined where it runs). */
export const needsRootReason = privilege.canBecomeNobody
  ? undefined
  : `skipped: needs root to start a process as another user (this suite runs ` +
    `as uid ${privilege.uid} without CAP_SETUID/CAP_SETGID/CAP_SETPCAP)`;

/** `command` run as nobody with no capabilities, no supplementary groups, an empty bounding set. */
export function asNobody(command) {
  return [
    'setpriv',
    `--reuid=${NOBODY}`,
    `--regid=${NOBODY}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    ...command,
  ];
}

/**
 * Why nobody cannot run `command` here (a file of it it cannot read, e.g. a checkout under a
 * home directory closed to others), or undefined.
 */
function unreadableByNobody(command) {
  const files = command.filter((arg) => isAbsolute(arg) && existsSync(arg));
  const unreadable = files.find((file) => {
    const [program, ...args] = asNobody(['test', '-r', file]);
    return spawnSync(program, args).status !== 0;
  });
  return (
    unreadable &&
    `skipped: the user nobody cannot read ${unreadable} (make the ` +
      `checkout and its parents readable by others to run this as root)`
  );
}

/**
 * How to run `command` as an ordinary user, held to the limits this machine gives one (the
 * RLIMIT_MEMLOCK it inherits): as nobody without capabilities where this process holds
 * CAP_IPC_LOCK (root), as this user otherwise. `{ argv, user }`, or `{ skip }` with the reason.
 * @param {string[]} command the program and its arguments
 * @returns {{ argv: string[], user: string } | { skip: string }}
 */
export function unprivileged(command) {
  if (typeof process.getuid !== 'function') return { skip: 'skipped: no POSIX user ids on this platform' };
  if (!privilege.ipcLock) return { argv: command, user: `uid ${privilege.uid}` };
  // CAP_IPC_LOCK would make mlock ignore the limit: the child must drop it, as nobody.
  if (!privilege.canBecomeNobody) {
    return {
      skip: 'skipped: this process holds CAP_IPC_LOCK but may not drop it in a child (no CAP_SETPCAP/CAP_SETUID)',
    };
  }
  const unreadable = unreadableByNobody(command);
  if (unreadable) return { skip: unreadable };
  return { argv: asNobody(command), user: `nobody (uid ${NOBODY}, no capabilities)` };
}

/** The hard RLIMIT_MEMLOCK of this process in bytes (Infinity for unlimited). */
function memlockHardLimit() {
  const hard = /^Max locked memory\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))[1];
  return hard === 'unlimited' ? Number.POSITIVE_INFINITY : Number(hard);
}

/**
 * How to run `command` so that the kernel enforces RLIMIT_MEMLOCK = `limit` bytes (soft and
 * hard) on it: `{ argv }`, or `{ skip }` with the reason where this process cannot arrange it.
 * @param {number} limit bytes
 * @param {string[]} command the program and its arguments
 * @param {string[]} [otherLimits] more prlimit options, such as `--as=4294967296:4294967296`
 * @returns {{ argv: string[] } | { skip: string }}
 */
export function memlockEnforced(limit, command, otherLimits = []) {
  const prlimit = ['prlimit', `--memlock=${limit}:${limit}`, ...otherLimits, '--'];
  if (!privilege.ipcLock) {
    // Without CAP_IPC_LOCK, lowering one's own limit needs no privilege; raising the hard one does.
    const hard = memlockHardLimit();
    if (limit > hard) {
      return {
        skip:
          `skipped: needs RLIMIT_MEMLOCK ${limit} bytes, above this ` +
          `user's hard limit (${hard}), which only root may raise`,
      };
    }
  }
  const run = unprivileged(command);
  return 'skip' in run ? run : { argv: [...prlimit, ...run.argv] };
}

/**
 * Why a test whose process reads or attaches to a sibling (gcore, /proc/PID/mem) is skipped here:
 * Yama's ptrace_scope 3 forbids it to everyone, 2 to all but CAP_SYS_PTRACE. Under scope 1 the
 * fixtures allow any tracer themselves (allowAnyTracer in test/fixtures/linux-kit.mjs).
 * @param {boolean} asNobody the tracer runs as nobody (no capabilities) rather than as this process
 * @returns {string | undefined}
 */
export function siblingTraceSkipReason(asNobody = false) {
  const file = '/proc/sys/kernel/yama/ptrace_scope';
  const scope = existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
  const status = readFileSync('/proc/self/status', 'utf8');
  const sysPtrace =
    !asNobody && ((BigInt(`0x${/^CapEff:\s+([0-9a-f]+)/m.exec(status)[1]}`) >> BigInt(CAP_SYS_PTRACE)) & 1n) === 1n;
  if (scope >= 3 || (scope === 2 && !sysPtrace))
    return `skipped: Yama ptrace_scope is ${scope}, so this process may not read or attach to a sibling`;
  return undefined;
}

/** The skip reason of a `memlockEnforced` answer, or undefined where it gave a command line. */
export const skipReasonOf = (enforced) => ('skip' in enforced ? enforced.skip : undefined);

/** The uid of a child started through `memlockEnforced`: nobody under root, else this user. */
export const memlockChildUid = privilege.ipcLock ? NOBODY : privilege.uid;
