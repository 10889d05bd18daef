// The Linux facts of `memshield doctor`: read from /proc and /sys, and from the kernel itself
// through libc (getrlimit, prctl, the memfd_secret system call) via koffi.
import { readFileSync } from 'node:fs';
import { loadKoffi } from '../../host/node-builtins.js';
import { procField, readKernelFile, transparentHugePageMode } from '../../host/linux.js';
import { errnoNameTable } from '../../host/posix.js';
import { limitOf } from './format.js';
import {
  commonFacts, memoryFacts, type CoreDumpFacts, type Fact, type HugePageFacts, type MachineFacts, type MappingFacts,
  type MemfdSecretFacts, type MemlockFacts,
} from './machine-facts.js';

// resource.h, prctl.h, asm/unistd.h (memfd_secret has one number on every architecture).
const RLIMIT_CORE = 4;
const RLIMIT_MEMLOCK = 8;
const PR_GET_DUMPABLE = 3;
const _SC_PAGESIZE = 30;
export const SYS_MEMFD_SECRET = 447;
// linux/capability.h: the capability that lets mlock ignore RLIMIT_MEMLOCK.
const CAP_IPC_LOCK = 14n;

/** The libc calls the facts need, bound once. */
function bindFactCalls() {
  const koffi = loadKoffi();
  const libc = koffi.load('libc.so.6');
  return {
    koffi,
    // A BigUint64Array [rlim_cur, rlim_max], not a named koffi struct: koffi keeps one type per
    // name for the whole process, so a second copy of memshield would be refused.
    getrlimit: libc.func('int getrlimit(int resource, void *limit)'),
    prctl: libc.func('int prctl(int option, ...)'),
    syscall: libc.func('long syscall(long number, ...)'),
    close: libc.func('int close(int fd)'),
    sysconf: libc.func('long sysconf(int name)'),
  };
}

let calls: ReturnType<typeof bindFactCalls> | undefined;
const libc = () => (calls ??= bindFactCalls());

/** Runs `read`; if it throws, the fact is unavailable and says why. */
function attempt<T extends object>(what: string, read: () => T): Fact<T> {
  try {
    return read();
  } catch (error) {
    return { unavailable: `cannot read ${what}: ${(error as Error).message}` };
  }
}

/** A /proc or /sys file that must be there. */
function kernelFile(path: string): string {
  const text = readKernelFile(path);
  if (text === undefined) throw new Error(`${path} is not readable`);
  return text;
}

/** A `Key: value` field that must be there. */
function field(text: string, key: string, path: string): number {
  const value = procField(text, key);
  if (value === undefined) throw new Error(`no ${key} in ${path}`);
  return value;
}

function rlimit(resource: number, name: string) {
  const limit = new BigUint64Array(2); // [rlim_cur, rlim_max]
  if (libc().getrlimit(resource, limit) !== 0) throw new Error(`getrlimit(${name}) failed with errno ${libc().koffi.errno()}`);
  return { soft: limitOf(limit[0]), hard: limitOf(limit[1]) };
}

function memlockFacts(): MemlockFacts {
  const status = kernelFile('/proc/self/status');
  const effective = /^CapEff:\s*([0-9a-f]+)/m.exec(status);
  const facts: MemlockFacts = { ...rlimit(RLIMIT_MEMLOCK, 'RLIMIT_MEMLOCK'), lockedBytes: field(status, 'VmLck', '/proc/self/status') };
  if (effective) facts.ignoresLimit = ((BigInt(`0x${effective[1]}`) >> CAP_IPC_LOCK) & 1n) === 1n;
  return facts;
}

function hugePageFacts(): HugePageFacts {
  const meminfo = kernelFile('/proc/meminfo');
  const mode = transparentHugePageMode();
  return {
    total: field(meminfo, 'HugePages_Total', '/proc/meminfo'),
    free: field(meminfo, 'HugePages_Free', '/proc/meminfo'),
    pageSize: field(meminfo, 'Hugepagesize', '/proc/meminfo'),
    transparentMode: mode ?? 'not available (no /sys/kernel/mm/transparent_hugepage/enabled)',
  };
}

/** Asks the kernel for a secret memory file descriptor, and closes it at once. */
export function probeMemfdSecret(): MemfdSecretFacts {
  const { syscall, close, koffi } = libc();
  const fd = Number(syscall(SYS_MEMFD_SECRET, 'unsigned int', 0));
  if (fd < 0) {
    const errno = koffi.errno();
    return { syscall: SYS_MEMFD_SECRET, works: false, errno, errnoName: errnoNameTable().name(errno) };
  }
  close(fd);
  return { syscall: SYS_MEMFD_SECRET, works: true };
}

function coreDumpFacts(): CoreDumpFacts {
  const dumpable = libc().prctl(PR_GET_DUMPABLE) as number;
  if (dumpable < 0) throw new Error(`prctl(PR_GET_DUMPABLE) failed with errno ${libc().koffi.errno()}`);
  return {
    ...rlimit(RLIMIT_CORE, 'RLIMIT_CORE'),
    pattern: kernelFile('/proc/sys/kernel/core_pattern').trimEnd(),
    dumpable,
  };
}

function mappingFacts(): MappingFacts {
  const maps = readFileSync('/proc/self/maps', 'utf8');
  return {
    count: maps.split('\n').filter((line) => line.length > 0).length,
    max: Number(kernelFile('/proc/sys/vm/max_map_count').trim()),
  };
}

/** Gathers the Linux facts; a fact that cannot be read says why instead of throwing. */
export function gatherLinuxFacts(): MachineFacts {
  return {
    ...commonFacts(),
    pageSize: attempt('the page size', () => ({ bytes: Number(libc().sysconf(_SC_PAGESIZE)) })),
    memlock: attempt('RLIMIT_MEMLOCK', memlockFacts),
    hugePages: attempt('/proc/meminfo', hugePageFacts),
    memfdSecret: attempt('memfd_secret', probeMemfdSecret),
    coreDumps: attempt('the core dump setting', coreDumpFacts),
    mappings: attempt('the mappings', mappingFacts),
    memory: attempt('/proc/meminfo and the memory cgroup', memoryFacts),
  };
}
