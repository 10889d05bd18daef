// What this machine offers for keeping secrets in memory, as `memshield doctor` reports it.
// The facts are gathered by one file per platform (linux-facts.ts); this file holds the shapes
// and the dispatch. A platform without its own file gets the facts the host API can tell and
// "not available on <platform>" for the rest.
import { release } from 'node:os';
import { PlatformMemory, nativeHost } from '../default-memory.js';
import type { Limit } from './format.js';
import { gatherLinuxFacts } from './linux-facts.js';

/** A fact this platform (or this machine) cannot tell, and why. */
export interface Unavailable {
  unavailable: string;
}

/** A fact, or why it is missing. */
export type Fact<T> = T | Unavailable;

/** True when a fact could not be gathered. */
export function isUnavailable<T extends object>(fact: Fact<T>): fact is Unavailable {
  return 'unavailable' in fact;
}

/** Locking pages in RAM: RLIMIT_MEMLOCK and what the process has locked. */
export interface MemlockFacts {
  /** Soft limit in bytes: what mlock may lock in total. */
  soft: Limit;
  /** Hard limit in bytes: how far an unprivileged process may raise the soft limit. */
  hard: Limit;
  /** Bytes this process has locked now (VmLck in /proc/self/status). */
  lockedBytes: number;
  /** CAP_IPC_LOCK is in effect, so mlock ignores the limit (typically root); absent where unknown. */
  ignoresLimit?: boolean;
}

/** Explicit huge pages (MAP_HUGETLB) and transparent huge pages. */
export interface HugePageFacts {
  /** Huge pages reserved (HugePages_Total). */
  total: number;
  /** Reserved pages still free (HugePages_Free): MAP_HUGETLB needs one per huge page mapped. */
  free: number;
  /** Size of one huge page in bytes (Hugepagesize). */
  pageSize: number;
  /** THP mode: `always`, `madvise` (MADV_HUGEPAGE asks for them) or `never`. */
  transparentMode: string;
}

/** Whether memfd_secret(2) works: memory removed from the kernel's own direct map. */
export interface MemfdSecretFacts {
  /** The system call number probed. */
  syscall: number;
  works: boolean;
  /** The error number, when it failed. */
  errno?: number;
  /** Its name, e.g. `ENOSYS` (kernel without it, or disabled at boot). */
  errnoName?: string;
}

/** Whether and where a crash writes a core dump. */
export interface CoreDumpFacts {
  /** RLIMIT_CORE soft limit: 0 means no core file is written. */
  soft: Limit;
  hard: Limit;
  /** /proc/sys/kernel/core_pattern: a file name, or `|program` to pipe the dump to. */
  pattern: string;
  /** prctl(PR_GET_DUMPABLE): 0 not dumpable, 1 dumpable, 2 dumpable readable by root only. */
  dumpable: number;
}

/** What this process can still commit: a Secure allocation past it is refused (docs/sizes.md). */
export interface MemoryFacts {
  /** Bytes: the least of the figures below. */
  bytes: number;
  /** MemAvailable of /proc/meminfo, in bytes. */
  available?: number;
  /** The tightest memory cgroup over this process: its path, limit and use. */
  cgroup?: { path: string; limit: number; used: number };
}

/** Memory mappings: each region costs some, and the kernel caps them. */
export interface MappingFacts {
  /** Mappings this process has now (lines of /proc/self/maps). */
  count: number;
  /** vm.max_map_count. */
  max: number;
}

/** Everything the doctor reports about the machine. */
export interface MachineFacts {
  /** process.platform. */
  platform: string;
  /** process.arch. */
  arch: string;
  /** The kernel release (os.release()). */
  kernel: string;
  /** The JavaScript runtime and its version, e.g. `node v20.20.2`. */
  runtime: string;
  /** The system page size in bytes: protection and locking work in whole pages. */
  pageSize: Fact<{ bytes: number }>;
  memlock: Fact<MemlockFacts>;
  hugePages: Fact<HugePageFacts>;
  memfdSecret: Fact<MemfdSecretFacts>;
  coreDumps: Fact<CoreDumpFacts>;
  mappings: Fact<MappingFacts>;
  memory: Fact<MemoryFacts>;
}

/** The facts every platform has, whatever gathers the rest. */
export function commonFacts(): Pick<MachineFacts, 'platform' | 'arch' | 'kernel' | 'runtime'> {
  const versions = process.versions as Record<string, string | undefined>;
  const runtime = versions.bun ? `bun ${versions.bun}` : versions.deno ? `deno ${versions.deno}` : `node ${process.version}`;
  return { platform: process.platform, arch: process.arch, kernel: release(), runtime };
}

/** What the host says this process can still commit (its `memoryRoom`). */
export function memoryFacts(): MemoryFacts {
  const room = nativeHost().memoryRoom?.();
  if (!room) throw new Error('the host does not tell how much memory is left');
  return { ...room };
}

/** Gathers this machine's facts; never throws (a fact that cannot be read says why). */
export function gatherMachineFacts(): MachineFacts {
  switch (process.platform) {
    case 'linux':
      return gatherLinuxFacts();
    default:
      return gatherPortableFacts();
  }
}

/** What the host API tells on a platform without its own facts file. */
function gatherPortableFacts(): MachineFacts {
  const missing: Unavailable = { unavailable: `not available on ${process.platform}` };
  const fromHost = <T extends object>(read: () => T): Fact<T> => {
    try {
      return read();
    } catch (error) {
      return { unavailable: `not available on ${process.platform}: ${(error as Error).message}` };
    }
  };
  return {
    ...commonFacts(),
    pageSize: fromHost(() => ({ bytes: PlatformMemory.pageSize() })),
    memlock: fromHost(() => {
      const status = nativeHost().memlockStatus();
      if (!status) throw new Error('the host does not report a lock limit');
      const limit = (value: number): Limit => (Number.isFinite(value) ? value : 'unlimited');
      return { soft: limit(status.soft), hard: limit(status.hard), lockedBytes: status.lockedBytes };
    }),
    hugePages: missing,
    memfdSecret: missing,
    coreDumps: missing,
    mappings: missing,
    memory: fromHost(memoryFacts),
  };
}
