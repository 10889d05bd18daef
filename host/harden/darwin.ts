// Hardening on macOS: RLIMIT_CORE soft 0 (macOS writes cores to /cores only when the limit
// allows), and ptrace(PT_DENY_ATTACH) — debuggers can no longer attach, and one already attached
// ends the process. Both last until the process ends.
import { DARWIN_CONSTANTS } from '../darwin-constants.js';
import { loadKoffi } from '../node-builtins.js';
import { errnoNameTable } from '../posix.js';
import { coreLimitStep } from './posix.js';
import type { HardeningGoal, HardeningStep } from './report.js';

// sys/ptrace.h.
const PT_DENY_ATTACH = 31;

/** The macOS steps for the goals asked for. */
export function hardenDarwin(goals: HardeningGoal[]): HardeningStep[] {
  const steps: HardeningStep[] = [];
  if (goals.includes('coreDumps')) steps.push(coreLimitStep(DARWIN_CONSTANTS.libc, DARWIN_CONSTANTS.RLIMIT_CORE));
  if (goals.includes('debuggers')) {
    const koffi = loadKoffi();
    const ptrace = koffi.load(DARWIN_CONSTANTS.libc).func('int ptrace(int request, int pid, void *addr, int data)');
    const call = 'ptrace(PT_DENY_ATTACH, 0, 0, 0)';
    if (ptrace(PT_DENY_ATTACH, 0, null, 0) === 0) {
      steps.push({
        goals: ['debuggers'],
        call,
        outcome: 'applied',
        detail: 'debuggers can no longer attach to this process (until it ends)',
      });
    } else {
      const errno = koffi.errno() || 1;
      const name = errnoNameTable().name(errno);
      steps.push({
        goals: ['debuggers'],
        call,
        outcome: 'failed',
        errno,
        errnoName: name,
        detail: `the kernel refused (${name})`,
      });
    }
  }
  return steps;
}
