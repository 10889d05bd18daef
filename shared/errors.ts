// The one error type of memshield, at the bottom of the layers: src/ and host/ both raise it
// (host/ never imports src/).

/** The stable codes of {@link MemoryProtectionError}. */
export type MemoryProtectionErrorCode =
  | 'INVALID_ARGUMENT'
  | 'OUT_OF_BOUNDS'
  | 'ACCESS_DENIED'
  | 'USE_AFTER_FREE'
  | 'DOUBLE_FREE'
  | 'ALLOCATION_FAILED'
  | 'PROTECTION_FAILED'
  | 'LOCK_FAILED'
  | 'UNLOCK_FAILED'
  | 'NOT_SUPPORTED'
  | 'CANARY_CORRUPTED'
  | 'FREE_FAILED'
  | 'SIMULATED_FAULT'
  | 'READ_FAILED';

/** Details an OS failure carries. */
export interface OsFailureDetails {
  /** The OS call that failed, e.g. `mlock`. */
  syscall?: string;
  /** Its error number (errno, or the Windows error code). */
  errno?: number;
  /** The error's symbolic name, e.g. `EAGAIN`. */
  errnoName?: string;
}

/**
 * The one error type of memshield. `code` is stable and meant for programs; `message` says what
 * happened and what to do; `syscall` and `errno` are set when the OS refused.
 *
 * @example
 * try { mem.lock(region); }
 * catch (error) {
 *   if (error instanceof MemoryProtectionError && error.code === 'LOCK_FAILED') console.warn(error.errno);
 * }
 */
export class MemoryProtectionError extends Error {
  /** The stable error code. */
  readonly code: MemoryProtectionErrorCode;
  /** The OS call that failed, where one did. */
  readonly syscall?: string;
  /** The OS error number, where an OS call failed. */
  readonly errno?: number;
  /** The OS error's symbolic name (`ENOMEM`), where an OS call failed. */
  readonly errnoName?: string;

  /**
   * @param code - the stable error code
   * @param message - what happened and what to do
   * @param details - the failed OS call, if any
   */
  constructor(code: MemoryProtectionErrorCode, message: string, details: OsFailureDetails = {}) {
    super(message);
    this.name = 'MemoryProtectionError';
    this.code = code;
    if (details.syscall !== undefined) this.syscall = details.syscall;
    if (details.errno !== undefined) this.errno = details.errno;
    if (details.errnoName !== undefined) this.errnoName = details.errnoName;
  }
}

/** Shorthand for an INVALID_ARGUMENT error. */
export function invalidArgument(message: string): MemoryProtectionError {
  return new MemoryProtectionError('INVALID_ARGUMENT', message);
}
