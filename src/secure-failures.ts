// Turns a status of the secret and heap entry points into a MemoryProtectionError. Reasons from
// 100 up are theirs (assembly/heap-status.ts, read through src/generated/core-numbers.ts);
// everything else is worded by failures.ts.
import { MemoryProtectionError } from './errors.js';
import { errorFromStatus } from './failures.js';
import { Reason, Status } from './generated/core-numbers.js';
import type { SecureCore } from './secure-core.js';

/**
 * The error for a non-zero status of a secret or heap call; `action` says what was being done.
 * `checked` is the refusal behind a status from a read-only check (secretCheck, heapCheck), which
 * leaves the core's failure record alone.
 */
export function secureError(core: SecureCore, status: number, action: string, checked?: number): MemoryProtectionError {
  const reason = checked ?? core.exports.failureReason();
  const prefix = `cannot ${action}`;
  switch (reason) {
    case Reason.SECRET_OPEN:
      return new MemoryProtectionError(
        'ACCESS_DENIED',
        `${prefix}: a use() or update() of this SecureBuffer is still running. Dispose it after the callback returns.`,
      );
    case Reason.HEAP_OPEN:
      return new MemoryProtectionError(
        'ACCESS_DENIED',
        `${prefix}: a use() or update() of one of its secrets is ` +
          `still running. Destroy the heap after the callback returns.`,
      );
    case Reason.NOT_OPEN:
      return new MemoryProtectionError(
        'INVALID_ARGUMENT',
        `${prefix}: no use() or update() of this SecureBuffer is open (a memshield bug: please report it).`,
      );
    case Reason.NOT_READABLE:
      return new MemoryProtectionError(
        'ACCESS_DENIED',
        `${prefix}: the secret is only readable inside use() or update().`,
      );
    case Reason.HEAP_FULL:
      return new MemoryProtectionError(
        'ALLOCATION_FAILED',
        `${prefix}: the SecureHeap reached its maxSize; another arena would pass it. Dispose ` +
          `secrets you no longer need, call trim(), or raise maxSize. Nothing was left mapped.`,
      );
    case Reason.ARENA_SIZE:
      return new MemoryProtectionError(
        'INVALID_ARGUMENT',
        `${prefix}: arenaSize must be a positive integer number of bytes, at most 2^20 pages.`,
      );
    case Reason.MAX_SIZE:
      return new MemoryProtectionError(
        'INVALID_ARGUMENT',
        `${prefix}: maxSize must be a positive integer number of bytes, or Infinity for no limit.`,
      );
    case Reason.ACCESS:
      return new MemoryProtectionError('INVALID_ARGUMENT', `${prefix}: scoped access is ReadOnly or ReadWrite.`);
    case Reason.PURGED:
      return new MemoryProtectionError(
        'USE_AFTER_FREE',
        `${prefix}: purge() was called while a use() or update() of it was running; it takes no new ` +
          `scope or secret, and is wiped and unmapped when that callback returns. Make a new one.`,
      );
    case Reason.HEAPS_LIVE:
      return new MemoryProtectionError(
        'INVALID_ARGUMENT',
        `${prefix}: this core holds secrets or heaps, whose regions ` +
          `only they free (a memshield bug: please report it).`,
      );
    case Reason.NOT_A_SECRET:
      if (status === Status.USE_AFTER_FREE || status === Status.DOUBLE_FREE) {
        return new MemoryProtectionError(
          status === Status.USE_AFTER_FREE ? 'USE_AFTER_FREE' : 'DOUBLE_FREE',
          `${prefix}: the SecureBuffer was already disposed (by dispose(), its heap's destroy(), ` +
            `purge(), or the process-exit wipe). Keep using a secret only until it is disposed.`,
        );
      }
      return new MemoryProtectionError(
        'INVALID_ARGUMENT',
        `${prefix}: this is not a SecureBuffer of this memshield instance.`,
      );
    case Reason.NOT_A_HEAP:
      if (status === Status.USE_AFTER_FREE) {
        return new MemoryProtectionError(
          'USE_AFTER_FREE',
          `${prefix}: the SecureHeap was already destroyed (by destroy(), ` +
            `purge(), or the process-exit wipe). Make a new one.`,
        );
      }
      return new MemoryProtectionError(
        'INVALID_ARGUMENT',
        `${prefix}: this is not a SecureHeap of this memshield instance.`,
      );
    default:
      return errorFromStatus(core.exports, core.host, status, { action, reason: checked });
  }
}
