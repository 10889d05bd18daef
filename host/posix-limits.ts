// Resource limits on Linux and macOS: getrlimit and setrlimit, bound once per libc and shared by
// the host (the memlock numbers of a LOCK_FAILED message), the doctor's facts and hardenProcess.
// A limit pair is a BigUint64Array [soft, hard] (struct rlimit is two 64-bit words): no koffi
// struct type, so several copies of memshield can share one koffi.
import { loadKoffi } from './node-builtins.js';

/** RLIM_INFINITY: all ones. */
export const RLIM_INFINITY = 0xffffffffffffffffn;

/** getrlimit/setrlimit of one libc. */
export interface LimitCalls {
  /** [soft, hard] of `resource`, or the errno. */
  read(resource: number): BigUint64Array | number;
  /** Sets [soft, hard]: 0 or the errno. */
  write(resource: number, soft: bigint, hard: bigint): number;
}

const bound = new Map<string, LimitCalls>();

/** The limit calls of `libcName` (bound on first use). */
export function limitCalls(libcName: string): LimitCalls {
  let calls = bound.get(libcName);
  if (!calls) {
    const koffi = loadKoffi();
    const libc = koffi.load(libcName);
    const getrlimit = libc.func('int getrlimit(int resource, void *limit)');
    const setrlimit = libc.func('int setrlimit(int resource, void *limit)');
    const errno = (): number => koffi.errno() || 1; // never report success for a failed call
    calls = {
      read(resource) {
        const pair = new BigUint64Array(2);
        return getrlimit(resource, pair) === 0 ? pair : errno();
      },
      write: (resource, soft, hard) => (setrlimit(resource, new BigUint64Array([soft, hard])) === 0 ? 0 : errno()),
    };
    bound.set(libcName, calls);
  }
  return calls;
}

/** A limit as a number of bytes; RLIM_INFINITY (and anything past 2^63) is Infinity. */
export function limitNumber(value: bigint): number {
  return value >= 0x7fffffffffffffffn ? Number.POSITIVE_INFINITY : Number(value);
}
