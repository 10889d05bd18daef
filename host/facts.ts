// The shapes of what `memshield doctor` reports about the machine, filled in by one file per
// platform under host/ (facts-linux.ts): process-level facts are OS calls, and only host/ makes them.

/** A resource limit: bytes, or no limit at all (RLIM_INFINITY). */
export type Limit = number | 'unlimited';

/** A getrlimit value: RLIM_INFINITY (all ones) is `unlimited`. */
export function limitOf(value: bigint | number): Limit {
  const big = BigInt(value);
  return big >= 0x7fffffffffffffffn ? 'unlimited' : Number(big);
}

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
/**
 * Whether this machine can hibernate at all (suspend to disk). It matters because since Linux
 * 5.14 the kernel refuses to hibernate while any memfd_secret memory is in use.
 */
export interface HibernationFacts {
  /** The sleep states of /sys/power/state (e.g. `freeze mem disk`); `disk` is hibernation. */
  states: string[];
  /** /sys/power/disk: the hibernation modes, the chosen one in brackets; absent when the file is. */
  diskModes?: string;
  /** `disk` is offered and its mode is not `[disabled]`. */
  canHibernate: boolean;
}

/** What SecureBuffer and SecureHeap get now with their default options (src/doctor/secret-backing.ts tries one). */
export interface SecretBackingFacts {
  /** The secretMemory policy an allocation without the option gets. */
  policy: 'preferred' | 'required' | 'off';
  /** `environment` when MEMSHIELD_SECRET_MEMORY set it, `built-in` otherwise. */
  source: 'environment' | 'built-in';
  /** The environment variable that sets the default. */
  variable: string;
  /** It holds something else than off, preferred or required (every default allocation then fails). */
  invalid?: boolean;
  /** Why it could not be read (Deno without --allow-env), when it could not. */
  unreadable?: string;
  /** Bytes of the SecureBuffer tried. */
  size: number;
  /** What it got, when it could be made. */
  backing?: 'anonymous' | 'secret-memory';
  /** Whether its page is locked. */
  locked?: boolean;
  /** Why it could not be made: the error's code and message. */
  error?: { code: string; message: string };
}

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
  /** What SecureBuffer and SecureHeap get now with their default options (one SecureBuffer tried). */
  secretBacking: SecretBackingFacts;
  hibernation: Fact<HibernationFacts>;
  coreDumps: Fact<CoreDumpFacts>;
  mappings: Fact<MappingFacts>;
  memory: Fact<MemoryFacts>;
}
