// VirtualLock and the working set. Windows lets a process lock about as many pages as its
// minimum working set holds (345 KiB by default on 4 KiB pages, minus overhead), then fails
// with ERROR_WORKING_SET_QUOTA. This is a host mechanism, not policy: on that error the host
// grows the minimum and maximum working set by the bytes being locked and retries once, and
// records what it did so `inspect` can say so. The growth is kept (shrinking the working set
// under pages another region locked would fail their next lock); see docs/platforms.md.
import { WIN32_ERRORS, win32ErrorName } from './win32-constants.js';
import type { Kernel32 } from './win32-kernel32.js';

/** The result of a lock: 0 or the GetLastError code, and a note if the working set was grown. */
export interface LockOutcome {
  error: number;
  note?: string;
}

/** The process's working-set bounds in bytes, or the error that prevented reading them. */
export function workingSetSize(k: Kernel32): { minimum: number; maximum: number } | { error: number } {
  const minimum = [0];
  const maximum = [0];
  if (!k.GetProcessWorkingSetSize(k.GetCurrentProcess(), minimum, maximum)) return { error: k.GetLastError() };
  return { minimum: Number(minimum[0]), maximum: Number(maximum[0]) };
}

/** VirtualLock; on ERROR_WORKING_SET_QUOTA, grow the working set by `length` and retry once. */
export function lockGrowingWorkingSet(k: Kernel32, address: bigint, length: number): LockOutcome {
  if (k.VirtualLock(address, length)) return { error: 0 };
  const error = k.GetLastError();
  if (error !== WIN32_ERRORS.ERROR_WORKING_SET_QUOTA) return { error };

  const before = workingSetSize(k);
  if ('error' in before) {
    return {
      error,
      note:
        `VirtualLock of ${length} bytes hit ERROR_WORKING_SET_QUOTA; GetProcessWorkingSetSize ` +
        `failed with ${win32ErrorName(before.error)}, so the working set was not grown`,
    };
  }
  const minimum = before.minimum + length;
  const maximum = Math.max(before.maximum, minimum) + length;
  const sizes = `${before.minimum}–${before.maximum} to ${minimum}–${maximum} bytes`;
  if (!k.SetProcessWorkingSetSize(k.GetCurrentProcess(), minimum, maximum)) {
    const setError = k.GetLastError();
    return {
      error,
      note:
        `VirtualLock of ${length} bytes hit ERROR_WORKING_SET_QUOTA; growing the working ` +
        `set from ${sizes} failed with ${win32ErrorName(setError)} (${setError})`,
    };
  }
  if (k.VirtualLock(address, length)) {
    return {
      error: 0,
      note:
        `VirtualLock of ${length} bytes hit ERROR_WORKING_SET_QUOTA; the host grew ` +
        `the process working set from ${sizes} and the retry locked the pages`,
    };
  }
  const retryError = k.GetLastError();
  return {
    error: retryError,
    note:
      `VirtualLock of ${length} bytes hit ERROR_WORKING_SET_QUOTA; the host grew the working set ` +
      `from ${sizes}, but the retry failed with ${win32ErrorName(retryError)} (${retryError})`,
  };
}
