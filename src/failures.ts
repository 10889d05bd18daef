// Turns a core status into a MemoryProtectionError whose message says what to do.
import {
  MemoryProtectionError,
  codeOfStatus,
  type MemoryProtectionErrorCode,
  type OsFailureDetails,
} from './errors.js';
import { Reason } from './generated/core-numbers.js';
import { HOST_OPERATIONS, type Host, type MemlockStatus } from '../host/types.js';
import type { CoreExports } from './core.js';
import { describeOwnUsage } from './own-usage.js';

// What ENOMEM from mmap means, and what to do.
const OUT_OF_MAPPINGS =
  'The process is out of memory or mappings (vm.max_map_count), or past its address-space limit ' +
  '(RLIMIT_AS, ulimit -v): free regions or ask for less.';

// What each of the core's region refusals means (assembly/status.ts REASON_*).
const REASONS: Record<number, string> = {
  [Reason.SIZE_NOT_POSITIVE_INTEGER]: 'size must be a positive integer number of bytes',
  [Reason.SIZE_TOO_LARGE]: 'the mapping this needs is beyond what the OS can map (at most 2^47 bytes): ask for less',
  [Reason.ALIGN_NOT_POWER_OF_TWO]: 'align must be a power of two',
  [Reason.ALIGN_TOO_LARGE]: 'align is too large (at most 1 GiB)',
  [Reason.UNKNOWN_PROTECTION]: 'unknown protection level',
  [Reason.UNKNOWN_TYPE]: 'unknown allocation type',
  [Reason.GUARD_COUNT]: 'guard page counts must be integers from 0 to 1024',
  [Reason.NO_GUARD_PAGES]:
    'a guarded allocation needs at least one guard page: use allocate() for memory without guards',
  [Reason.NOT_A_REGION]: 'this is not a live region of this PlatformMemory',
  [Reason.NOT_GUARDED]: 'this region has no guard pages: free it with free()',
  [Reason.OFFSET]: 'offset is outside the region',
  [Reason.LENGTH]: 'length runs past the end of the region',
  [Reason.PAGE_SIZE]: 'the page size must be a power of two of at least 1024',
  [Reason.SECRET_MEMORY_LOCKED]:
    'its data pages are secret memory (memfd_secret), which the kernel keeps locked ' +
    'until they are freed; allocate without secretMemory for memory you need to unlock',
  [Reason.SECRET_MEMORY_TYPE]: 'secretMemory applies to Secure allocations only',
  [Reason.SECRET_MEMORY_EXECUTE]:
    'secret memory cannot be executable: choose NoAccess, ReadOnly or ReadWrite, or ' +
    "pass { secretMemory: 'preferred' } to get ordinary pages for an executable region",
  [Reason.MEMORY_SHORT]: 'its pages are more than this process can still commit',
};

/** How to allow more locked memory, per platform. */
const RAISE_LOCK_LIMIT: Record<Host['platform'], string> = {
  linux: 'raise the limit (ulimit -l, systemd LimitMEMLOCK=, or CAP_IPC_LOCK)',
  darwin: 'raise the limit (ulimit -l, launchd HardResourceLimits MemoryLock)',
  win32: 'raise the working-set quota (SetProcessWorkingSetSize) or lock less at once',
  simulated: "raise the simulated host's memlockLimit",
};

/** What the failing operation was about, for the message. */
export interface FailureContext {
  action: string; // e.g. "allocate 32 bytes (Secure)"
  /** The refusal, for a status from a read-only check (which leaves the core's failure record alone). */
  reason?: number;
}

/** "this process has N bytes locked now", or why that is unknown: never a number it could not read. */
function lockedNow(memlock: MemlockStatus): string {
  return memlock.lockedBytes === undefined
    ? `what this process has locked now is unknown (${memlock.unknownBecause ?? 'the host does not say'})`
    : `this process has ${bytes(memlock.lockedBytes)} locked now`;
}

function bytes(value: number): string {
  return Number.isFinite(value) ? `${value} bytes` : 'unlimited';
}

/** Builds the error for a non-zero core status. */
export function errorFromStatus(
  core: CoreExports,
  host: Host,
  status: number,
  context: FailureContext,
): MemoryProtectionError {
  const code = codeOfStatus(status);
  // A read-only check records nothing: its reason comes with the context, and no OS call failed.
  const reasonNumber = context.reason ?? core.failureReason();
  const reason = REASONS[reasonNumber];
  const operation = context.reason === undefined ? (HOST_OPERATIONS[core.failureOperation()] ?? 'none') : 'none';
  const errno = context.reason === undefined ? core.failureError() : 0;
  const syscall = operation !== 'none' ? host.syscalls[operation] : undefined;
  const errnoName = errno ? host.errorName(errno) : undefined;
  const osPart =
    syscall && errno ? `${syscall} failed with ${errnoName} (${errno})` : syscall ? `${syscall} is not available` : '';
  const details = syscall ? { syscall, errno: errno || undefined, errnoName } : {};
  const prefix = `cannot ${context.action}`;

  if (operation === 'mapSecret') return secretMemoryError(code, prefix, osPart, details, host);
  if (operation === 'randomBytes') {
    // The canary must be unguessable: no random bytes, no core (never a zero canary).
    const what = errno ? osPart : `${syscall} left every byte zero`;
    return new MemoryProtectionError(
      code,
      `${prefix}: ${what}, so there is no unguessable canary. Nothing was mapped. The OS random source ` +
        'should not fail: check that it is available to this process (seccomp, sandbox, /dev/urandom).',
      details,
    );
  }
  if (reasonNumber === Reason.SECRET_MEMORY_LOCKED) return new MemoryProtectionError(code, `${prefix}: ${reason}.`);
  if (reasonNumber === Reason.MEMORY_SHORT) return memoryShortError(code, prefix, host);
  switch (code) {
    case 'LOCK_FAILED': {
      const memlock = host.memlockStatus();
      const numbers = memlock
        ? `; the memlock limit is ${bytes(memlock.soft)} (soft) / ` +
          `${bytes(memlock.hard)} (hard) and ${lockedNow(memlock)}`
        : '';
      // Whether the locked memory that ran out is memshield's own (secrets never disposed) or not.
      const own = `; ${describeOwnUsage(host)}`;
      return new MemoryProtectionError(
        code,
        `${prefix}: ${osPart}${numbers}${own}. Free other locked memory, ${RAISE_LOCK_LIMIT[host.platform]}, or ` +
          `pass { lock: 'bestEffort' } to accept memory that may be swapped. Nothing was left mapped or locked.`,
        details,
      );
    }
    case 'UNLOCK_FAILED':
      return new MemoryProtectionError(code, `${prefix}: ${osPart}. The region is still locked.`, details);
    case 'ALLOCATION_FAILED': {
      const advice = errnoName === 'ENOMEM' ? OUT_OF_MAPPINGS : 'Check the size and the system limits.';
      return new MemoryProtectionError(code, `${prefix}: ${osPart}. Nothing was left mapped. ${advice}`, details);
    }
    case 'PROTECTION_FAILED':
      return new MemoryProtectionError(
        code,
        `${prefix}: ${osPart}. The region keeps the protection it had (see inspect()).`,
        details,
      );
    case 'NOT_SUPPORTED':
      return new MemoryProtectionError(
        code,
        `${prefix}: ${osPart || 'this platform does not support it'}. Pass ` +
          `{ lock: 'bestEffort' } where an unlocked region is acceptable.`,
        details,
      );
    case 'CANARY_CORRUPTED':
      return new MemoryProtectionError(
        code,
        `${context.action}: the canary bytes next to the data were overwritten, so something wrote outside the ` +
          `region's bounds (a buffer overflow in native code). The ` +
          `memory was still wiped and unmapped; find the writer.`,
        details,
      );
    case 'FREE_FAILED':
      return new MemoryProtectionError(code, `${prefix}: ${osPart}. The region is still live; try again.`, details);
    case 'USE_AFTER_FREE':
      return new MemoryProtectionError(
        code,
        `${prefix}: the region was already freed. Keep using a region only until free().`,
      );
    case 'DOUBLE_FREE':
      return new MemoryProtectionError(code, `${prefix}: the region was already freed. Free each region once.`);
    case 'ACCESS_DENIED':
      return new MemoryProtectionError(
        code,
        `${prefix}: ${osPart || "the region's protection forbids it"}. Change it first with protect() ` +
          '(ReadWrite to write, ReadOnly or ReadWrite to read).',
        details,
      );
    case 'OUT_OF_BOUNDS':
      return new MemoryProtectionError(code, `${prefix}: ${reason ?? 'outside the region'}.`);
    default:
      return new MemoryProtectionError(code, `${prefix}: ${reason ?? 'invalid argument'}.`);
  }
}

/** A failure of the secret-memory step (`secretMemory: 'required'`, or no memfd_secret at all). */
function secretMemoryError(
  code: MemoryProtectionErrorCode,
  prefix: string,
  osPart: string,
  details: OsFailureDetails,
  host: Host,
): MemoryProtectionError {
  if (code === 'NOT_SUPPORTED') {
    return new MemoryProtectionError(
      code,
      `${prefix}: secret memory (memfd_secret) is not available ` +
        `on this machine (\`memshield doctor\` says why: Linux ` +
        `5.14 or later, on by default since 6.5). Pass { secretMemory: ` +
        `'preferred' } to fall back to ordinary locked pages.`,
      details,
    );
  }
  const memlock = host.memlockStatus();
  const numbers = memlock
    ? ` Secret memory is locked by the kernel and counts against RLIMIT_MEMLOCK: the limit is ${bytes(memlock.soft)} ` +
      `(soft) / ${bytes(memlock.hard)} (hard) and ${lockedNow(memlock)}; ${describeOwnUsage(host)}.`
    : '';
  return new MemoryProtectionError(
    code,
    `${prefix}: ${osPart}.${numbers} Free other secrets, ${RAISE_LOCK_LIMIT[host.platform]}, or pass ` +
      `{ secretMemory: 'preferred' } to fall back to ordinary locked pages. Nothing was left mapped.`,
    details,
  );
}

/** The pages would be committed (or locked) past what the machine has: say what it has. */
function memoryShortError(code: MemoryProtectionErrorCode, prefix: string, host: Host): MemoryProtectionError {
  const room = host.memoryRoom?.();
  const figures: string[] = [];
  if (room?.available !== undefined) figures.push(`MemAvailable is ${bytes(room.available)}`);
  if (room?.cgroup)
    figures.push(
      `the memory cgroup ${room.cgroup.path} allows ` +
        `${bytes(room.cgroup.limit)} and has ${bytes(room.cgroup.used)} in use`,
    );
  const memlock = host.memlockStatus();
  if (memlock)
    figures.push(
      `RLIMIT_MEMLOCK is ${bytes(memlock.soft)} with ` +
        `${memlock.lockedBytes === undefined ? 'an unknown amount' : bytes(memlock.lockedBytes)} locked`,
    );
  const undone = code === 'LOCK_FAILED' ? 'Nothing was locked.' : 'Nothing was left mapped.';
  return new MemoryProtectionError(
    code,
    `${prefix}: its pages are more than this process can still commit ` +
      `(${room ? bytes(room.bytes) : 'unknown'}: ${figures.join('; ') || 'no figures'}). ` +
      `A Secure region's pages are all committed when it is made, so that no later write or wipe needs ` +
      `memory the kernel no longer has (it would end the process with the OOM killer, not an error). ` +
      `Free memory, ask for less, or raise the cgroup's memory limit. ${undone}`,
  );
}
