// What the Linux and macOS hardening share: RLIMIT_CORE through getrlimit/setrlimit (the host's
// own binding, posix-limits.ts), the soft limit only, so that children may raise it again up to
// the hard limit the parent kept.
import { errnoNameTable } from '../posix.js';
import { RLIM_INFINITY, limitCalls } from '../posix-limits.js';
import type { HardeningStep } from './report.js';

const limitText = (value: bigint) => (value >= RLIM_INFINITY >> 1n ? 'unlimited' : `${value}`);

/** setrlimit(RLIMIT_CORE, { soft: 0, hard: as it is }) of `libcName`, read back. */
export function coreLimitStep(libcName: string, resource: number): HardeningStep {
  const call = 'setrlimit(RLIMIT_CORE, { rlim_cur: 0, rlim_max: unchanged })';
  const limits = limitCalls(libcName);
  const names = errnoNameTable();
  const failed = (errno: number): HardeningStep => ({
    goals: ['coreDumps'],
    call,
    outcome: 'failed',
    errno,
    errnoName: names.name(errno),
    detail: `the OS refused (${names.name(errno)})`,
  });
  const before = limits.read(resource);
  if (typeof before === 'number') return failed(before);
  const error = limits.write(resource, 0n, before[1]);
  if (error !== 0) return failed(error);
  const after = limits.read(resource);
  if (typeof after === 'number') return failed(after);
  const applied = after[0] === 0n;
  return {
    goals: ['coreDumps'],
    call,
    outcome: applied ? 'applied' : 'failed',
    detail:
      `RLIMIT_CORE soft ${limitText(before[0])} → ${limitText(after[0])}, hard ` +
      `${limitText(after[1])} kept: no core file is written; children may raise the soft limit again`,
  };
}
