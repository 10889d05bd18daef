// Process-level calls of Linux beyond the POSIX ones: prctl's dumpable flag and the page size,
// bound once and shared by the doctor's facts (facts-linux.ts) and hardenProcess (harden/linux.ts).
import { LINUX_CONSTANTS } from './linux.js';
import { loadKoffi } from './node-builtins.js';

// prctl.h.
const PR_GET_DUMPABLE = 3;
const PR_SET_DUMPABLE = 4;

function bind() {
  const koffi = loadKoffi();
  const libc = koffi.load(LINUX_CONSTANTS.libc);
  const prctl = libc.func('int prctl(int option, ...)');
  const sysconf = libc.func('long sysconf(int name)');
  return {
    /** prctl(PR_GET_DUMPABLE): 0, 1 or 2; negative on failure. */
    getDumpable: (): number => prctl(PR_GET_DUMPABLE) as number,
    /** prctl(PR_SET_DUMPABLE, value): 0 or -1. */
    setDumpable: (value: number): number => prctl(PR_SET_DUMPABLE, 'unsigned long', value) as number,
    pageSize: (): number => Number(sysconf(LINUX_CONSTANTS._SC_PAGESIZE)),
    errno: (): number => koffi.errno() || 1, // never report success for a failed call
  };
}

let calls: ReturnType<typeof bind> | undefined;

/** The calls, bound on first use. */
export function linuxProcessCalls(): ReturnType<typeof bind> {
  calls ??= bind();
  return calls;
}
