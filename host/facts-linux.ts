// The Linux facts of `memshield doctor`: read from /proc and /sys, and from the kernel itself
// through libc (getrlimit, prctl, sysconf) and the memfd_secret probe the host makes.
import { LINUX_CONSTANTS, procField, readKernelFile, transparentHugePageMode } from './linux.js';
import { bindSecretMemory, SYS_MEMFD_SECRET } from './linux-secret-memory.js';
import { linuxMemoryRoom } from './linux-memory-room.js';
import { linuxProcessCalls } from './linux-process.js';
import { errnoNameTable } from './posix.js';
import { limitCalls } from './posix-limits.js';
import {
  limitOf,
  type CoreDumpFacts,
  type Fact,
  type HibernationFacts,
  type HugePageFacts,
  type MachineFacts,
  type MappingFacts,
  type MemfdSecretFacts,
  type MemlockFacts,
  type MemoryFacts,
} from './facts.js';

// linux/capability.h: the capability that lets mlock ignore RLIMIT_MEMLOCK.
const CAP_IPC_LOCK = 14n;

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
  const limit = limitCalls(LINUX_CONSTANTS.libc).read(resource);
  if (typeof limit === 'number') throw new Error(`getrlimit(${name}) failed with errno ${limit}`);
  return { soft: limitOf(limit[0]), hard: limitOf(limit[1]) };
}

function memlockFacts(): MemlockFacts {
  const status = kernelFile('/proc/self/status');
  const effective = /^CapEff:\s*([0-9a-f]+)/m.exec(status);
  const facts: MemlockFacts = {
    ...rlimit(LINUX_CONSTANTS.RLIMIT_MEMLOCK, 'RLIMIT_MEMLOCK'),
    lockedBytes: field(status, 'VmLck', '/proc/self/status'),
  };
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

/** Whether memfd_secret gives a descriptor: the host's own probe (closed at once). */
export function probeMemfdSecret(): MemfdSecretFacts {
  const { available, probeErrno } = bindSecretMemory(LINUX_CONSTANTS.libc);
  if (available) return { syscall: SYS_MEMFD_SECRET, works: true };
  return { syscall: SYS_MEMFD_SECRET, works: false, errno: probeErrno, errnoName: errnoNameTable().name(probeErrno) };
}

function coreDumpFacts(): CoreDumpFacts {
  const dumpable = linuxProcessCalls().getDumpable();
  if (dumpable < 0) throw new Error(`prctl(PR_GET_DUMPABLE) failed with errno ${linuxProcessCalls().errno()}`);
  return {
    ...rlimit(LINUX_CONSTANTS.RLIMIT_CORE, 'RLIMIT_CORE'),
    pattern: kernelFile('/proc/sys/kernel/core_pattern').trimEnd(),
    dumpable,
  };
}

/** What this process can still commit: the figure the host checks Secure allocations against. */
function memoryFacts(): MemoryFacts {
  const room = linuxMemoryRoom();
  if (!room) throw new Error('neither /proc/meminfo nor a memory cgroup tells');
  return { ...room };
}

function mappingFacts(): MappingFacts {
  const maps = kernelFile('/proc/self/maps');
  return {
    count: maps.split('\n').filter((line) => line.length > 0).length,
    max: Number(kernelFile('/proc/sys/vm/max_map_count').trim()),
  };
}

/** Gathers the Linux facts; a fact that cannot be read says why instead of throwing. */
function hibernationFacts(): HibernationFacts {
  const state = readKernelFile('/sys/power/state');
  if (state === undefined) throw new Error('/sys/power/state is not readable');
  const states = state.trim().split(/\s+/).filter(Boolean);
  const diskModes = readKernelFile('/sys/power/disk')?.trim();
  const canHibernate = states.includes('disk') && diskModes !== undefined && !diskModes.includes('[disabled]');
  return diskModes === undefined ? { states, canHibernate } : { states, diskModes, canHibernate };
}

export function gatherLinuxFacts(): Omit<MachineFacts, 'platform' | 'arch' | 'kernel' | 'runtime' | 'secretBacking'> {
  return {
    pageSize: attempt('the page size', () => ({ bytes: linuxProcessCalls().pageSize() })),
    memlock: attempt('RLIMIT_MEMLOCK', memlockFacts),
    hugePages: attempt('/proc/meminfo', hugePageFacts),
    memfdSecret: attempt('memfd_secret', probeMemfdSecret),
    hibernation: attempt('/sys/power/state', hibernationFacts),
    coreDumps: attempt('the core dump setting', coreDumpFacts),
    mappings: attempt('the mappings', mappingFacts),
    memory: attempt('/proc/meminfo and the memory cgroup', memoryFacts),
  };
}
