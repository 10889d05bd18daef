// What the Linux and macOS hardening share: RLIMIT_CORE through getrlimit/setrlimit, the soft
// limit only, so that children may raise it again up to the hard limit the parent kept.
import { loadKoffi } from '../../host/node-builtins.js';
import { errnoNameTable } from '../../host/posix.js';
import type { HardeningStep } from './report.js';

/** RLIM_INFINITY: all ones. */
const INFINITY = 0xffffffffffffffffn;

/** libc with the calls hardening needs (no koffi structs: a limit pair is a BigUint64Array). */
export function bindHardeningLibc(libcName: string) {
  const koffi = loadKoffi();
  const libc = koffi.load(libcName);
  return {
    koffi,
    libc,
    getrlimit: libc.func('int getrlimit(int resource, void *limit)'),
    setrlimit: libc.func('int setrlimit(int resource, void *limit)'),
    errno: (): number => koffi.errno() || 1,
  };
}
export type HardeningLibc = ReturnType<typeof bindHardeningLibc>;

const limitText = (value: bigint) => (value >= INFINITY >> 1n ? 'unlimited' : `${value}`);

/** Reads a limit pair [soft, hard], or the errno. */
export function readLimit(c: HardeningLibc, resource: number): BigUint64Array | number {
  const pair = new BigUint64Array(2);
  return c.getrlimit(resource, pair) === 0 ? pair : c.errno();
}

/** setrlimit(RLIMIT_CORE, { soft: 0, hard: as it is }), read back. */
export function coreLimitStep(c: HardeningLibc, resource: number): HardeningStep {
  const call = 'setrlimit(RLIMIT_CORE, { rlim_cur: 0, rlim_max: unchanged })';
  const names = errnoNameTable();
  const failed = (errno: number): HardeningStep => ({
    goals: ['coreDumps'], call, outcome: 'failed', errno, errnoName: names.name(errno), detail: `the OS refused (${names.name(errno)})`,
  });
  const before = readLimit(c, resource);
  if (typeof before === 'number') return failed(before);
  const wanted = new BigUint64Array([0n, before[1]]);
  if (c.setrlimit(resource, wanted) !== 0) return failed(c.errno());
  const after = readLimit(c, resource);
  if (typeof after === 'number') return failed(after);
  const applied = after[0] === 0n;
  return {
    goals: ['coreDumps'],
    call,
    outcome: applied ? 'applied' : 'failed',
    detail: `RLIMIT_CORE soft ${limitText(before[0])} → ${limitText(after[0])}, hard ${limitText(after[1])} kept: no core file is written; children may raise the soft limit again`,
  };
}
