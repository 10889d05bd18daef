/**
 * The host interface: the small set of OS operations the Wasm core asks for. One file per
 * platform implements it (linux.ts, and the simulated host); a host keeps no policy of its own.
 *
 * Every operation names a mapping by the id `map` returned and a byte offset into it. Each
 * returns 0 on success or a positive OS error number (errno; GetLastError on Windows), except
 * `map`, which returns the new id (>= 0) or the negated error number. Hosts never throw for an
 * OS refusal: the core decides what a failure means.
 */

import {
  Protection as PROTECTION_NUMBERS,
  HostOperation as OPERATION_NUMBERS,
  MapFlag,
  Advice as ADVICE_NUMBERS,
} from './generated/host-numbers.js';
import { namesByNumber } from '../shared/names-by-number.js';

/** Protection codes, as the core numbers them (and as `MemoryProtectionLevel` orders them). */
export const Protection = PROTECTION_NUMBERS;
export type Protection = (typeof Protection)[keyof typeof Protection];

/** A protection's name, as MemoryProtectionLevel spells it. */
export type ProtectionName = keyof typeof Protection;
/** Protection names, indexed by the host's code. */
export const PROTECTION_NAMES: readonly ProtectionName[] = namesByNumber(Protection);

/** A host operation: the name of the Host method. */
export type HostOperation = keyof typeof OPERATION_NUMBERS;

/** Host operations by the number the core's failureOperation() gives them (0: none). */
export const HOST_OPERATIONS: readonly ('none' | HostOperation)[] = [
  'none',
  ...namesByNumber(OPERATION_NUMBERS).slice(1),
];

/** `map` flags. */
export const MAP_EXPLICIT_HUGE = MapFlag.EXPLICIT_HUGE;

/** `advise` values. */
export const Advice = ADVICE_NUMBERS;
export type Advice = (typeof Advice)[keyof typeof Advice];
/** An advice's name. */
export type AdviceName = keyof typeof Advice;
/** Advice names, indexed by the host's code (0 is unused). */
export const ADVICE_NAMES: readonly ('none' | AdviceName)[] = ['none', ...namesByNumber(Advice).slice(1)];

/** What the machine offers; the core reads this once at start. */
export interface HostCapabilities {
  /** Pages can be locked in RAM (mlock, VirtualLock). */
  lock: boolean;
  /** Pages can be left out of core dumps (MADV_DONTDUMP). */
  dontDump: boolean;
  /** Pages can be kept from fork() children (MADV_DONTFORK, minherit). */
  dontFork: boolean;
  /** Explicit huge pages are reserved and can be mapped (MAP_HUGETLB with HugePages_Free > 0). */
  explicitHugePages: boolean;
  /** Transparent huge pages can be asked for with advice (THP mode `always` or `madvise`). */
  transparentHugePages: boolean;
  /** The huge page size in bytes (2 MiB on x86-64), or the page size where there are none. */
  hugePageSize: number;
  /**
   * Secret memory can be mapped (Linux 5.14+ memfd_secret, probed when the host is made): pages
   * the kernel removes from its own direct map, locks, and refuses to /proc/pid/mem and ptrace.
   * Absent means false; a host that reports true implements `mapSecret`.
   */
  secretMemory?: boolean;
}

/** What a locking failure message needs: the limit and what the process has locked now. */
export interface MemlockStatus {
  /** RLIMIT_MEMLOCK soft limit in bytes (Infinity when unlimited). */
  soft: number;
  /** RLIMIT_MEMLOCK hard limit in bytes (Infinity when unlimited). */
  hard: number;
  /** Bytes this process has locked now (VmLck); absent when it cannot be known (see `unknownBecause`). */
  lockedBytes?: number;
  /** Why `lockedBytes` is absent, e.g. the runtime refused to read /proc/self/status. */
  unknownBecause?: string;
}

/** What this process can still commit: the check before a Secure region's pages are committed. */
export interface MemoryRoom {
  /** Bytes it can still commit: the least of the known figures below. */
  bytes: number;
  /** The system's estimate of memory available without swapping (Linux MemAvailable), in bytes. */
  available?: number;
  /** The tightest memory cgroup over this process: where, its limit, and what it has in use. */
  cgroup?: { path: string; limit: number; used: number };
}

/** One mapping range as the kernel itself reports it (/proc/self/smaps, VirtualQuery). */
export interface KernelRange {
  start: bigint;
  end: bigint;
  /** Permissions as the kernel prints them, e.g. `rw-p`, `---p`. */
  permissions: string;
  /** Kernel flags, e.g. `rd wr mr mw me lo dd dc` on Linux. */
  flags: string[];
  /** Locked bytes in the range (smaps `Locked`). */
  lockedBytes: number;
  /** Resident bytes (smaps `Rss`). */
  residentBytes: number;
  /** Windows (VirtualQuery): the page state, `MEM_COMMIT`, `MEM_RESERVE` or `MEM_FREE`. */
  state?: string;
  /** Windows (VirtualQuery): the memory type, `MEM_PRIVATE`, `MEM_MAPPED` or `MEM_IMAGE`. */
  type?: string;
}

/** The host interface. */
export interface Host {
  /** Which platform this host drives. */
  readonly platform: 'linux' | 'darwin' | 'win32' | 'simulated';
  /** The OS call behind each operation, for error reports (`mmap`, `VirtualAlloc`, …). */
  readonly syscalls: Readonly<Record<HostOperation, string>>;
  /** The system page size in bytes. */
  pageSize(): number;
  /** What this machine offers. */
  capabilities(): HostCapabilities;
  /** Maps `length` bytes (a multiple of the page size in use) at an address aligned to `alignment`. */
  map(length: number, alignment: number, protection: Protection, flags: number): number;
  /** Unmaps a whole mapping. */
  unmap(id: number): number;
  /**
   * Gives every page of a mapping back — bytes, locks, advice — and keeps its whole address range
   * reserved and inaccessible until `unmap(id)`, so that nothing else is mapped there (Linux and
   * macOS: mmap MAP_FIXED PROT_NONE over it; Windows: VirtualFree MEM_DECOMMIT). Where a host has
   * none, freed secrets are unmapped at once (no quarantine).
   */
  decommit?(id: number): number;
  /**
   * Replaces [offset, offset + length) of a mapping (whole pages) with secret memory opened with
   * `protection` (Linux: memfd_secret, ftruncate, mmap MAP_SHARED|MAP_FIXED over the range, close).
   * `unmap(id)` releases it with the rest. Only where `capabilities().secretMemory` is true.
   */
  mapSecret?(id: number, offset: number, length: number, protection: Protection): number;
  protect(id: number, offset: number, length: number, protection: Protection): number;
  lock(id: number, offset: number, length: number): number;
  unlock(id: number, offset: number, length: number): number;
  advise(id: number, offset: number, length: number, advice: Advice): number;
  /**
   * Copies `source` into the mapping at `offset`. `source` (and copyOut's `target`) may be the
   * caller's own Uint8Array or Buffer, with properties of its own: read its length and memory
   * through the built-ins (shared/intrinsics.ts), never through its properties or methods.
   */
  copyIn(id: number, offset: number, source: Uint8Array): number;
  /** Copies mapping bytes at `offset` into `target` (its whole length). */
  copyOut(id: number, offset: number, target: Uint8Array): number;
  /** Sets `length` bytes at `offset` to `byte`, in a way no compiler may drop. */
  fill(id: number, offset: number, length: number, byte: number): number;
  /**
   * A zero-copy view of mapping bytes, for scoped access (SecureBuffer.use). Its accesses obey the
   * pages' real protection; the caller must drop it before the pages close. Hosts that cannot
   * lend memory (Electron forbids external buffers) return undefined, and callers copy instead.
   */
  view(id: number, offset: number, length: number): Uint8Array | undefined;
  /**
   * Fills `target` with random bytes (the OS's generator on real hosts, seeded when simulated);
   * 0 or the OS error number. The core's bridge hands it a fresh array of its own, never a view
   * of core memory, and copies the bytes in (src/core-random.ts).
   */
  randomBytes(target: Uint8Array): number;
  /** The mapping's base address, for `inspect` only. */
  address(id: number): bigint;
  /** A symbolic name for an OS error number (`ENOMEM`, `ERROR_WORKING_SET_QUOTA`). */
  errorName(error: number): string;
  /** The memlock limit and usage, for lock-failure messages; undefined where unknown. */
  memlockStatus(): MemlockStatus | undefined;
  /**
   * What this process can still commit, or undefined where the host cannot tell (then no check is
   * made). Windows needs none: VirtualAlloc commits (and charges) every page when it maps it.
   */
  memoryRoom?(): MemoryRoom | undefined;
  /** The kernel's own view of [address, address + length), where the OS offers one. */
  kernelView?(address: bigint, length: number): KernelRange[];
  /** What the host did on its own for a mapping (e.g. grew the Windows working set to lock it). */
  notes?(id: number): string[];
}
