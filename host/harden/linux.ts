// Hardening on Linux: prctl(PR_SET_DUMPABLE, 0) — no core dump, and no ptrace attach or
// /proc/PID/mem read by other processes of the same user (root, with CAP_SYS_PTRACE, still can);
// reset when the process execs another program — and RLIMIT_CORE soft 0 (a piped core_pattern
// such as systemd-coredump is told the limit too).
import { LINUX_CONSTANTS } from '../linux.js';
import { linuxProcessCalls } from '../linux-process.js';
import { errnoNameTable } from '../posix.js';
import { coreLimitStep } from './posix.js';
import type { HardeningGoal, HardeningStep } from './report.js';

/** The Linux steps for the goals asked for. */
export function hardenLinux(goals: HardeningGoal[]): HardeningStep[] {
  const calls = linuxProcessCalls();
  const steps: HardeningStep[] = [];
  if (goals.length > 0) steps.push(dumpableStep(goals, calls.getDumpable, () => calls.setDumpable(0), calls.errno));
  if (goals.includes('coreDumps')) steps.push(coreLimitStep(LINUX_CONSTANTS.libc, LINUX_CONSTANTS.RLIMIT_CORE));
  return steps;
}

function dumpableStep(
  goals: HardeningGoal[],
  get: () => number,
  set: () => number,
  errno: () => number,
): HardeningStep {
  const call = 'prctl(PR_SET_DUMPABLE, 0)';
  const before = get();
  if (set() !== 0) {
    const error = errno();
    const name = errnoNameTable().name(error);
    return { goals, call, outcome: 'failed', errno: error, errnoName: name, detail: `the kernel refused (${name})` };
  }
  const after = get();
  return {
    goals,
    call,
    outcome: after === 0 ? 'applied' : 'failed',
    detail:
      `PR_GET_DUMPABLE ${before} → ${after}: no core dump, and other processes of this user can no ` +
      `longer ptrace it or read /proc/${process.pid}/mem (a program it execs is dumpable again)`,
  };
}
