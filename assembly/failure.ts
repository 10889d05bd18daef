// What went wrong in the last failed call: the public layer reads these to build its error.
import { OK, REASON_NONE } from './status';

/** Which argument was refused (REASON_*), for INVALID_ARGUMENT and OUT_OF_BOUNDS. */
export let lastReason: i32 = REASON_NONE;
/** Which host operation failed (OP_*), 0 when no OS call failed. */
export let lastOperation: i32 = 0;
/** The OS error number of that operation. */
export let lastError: i32 = 0;

/** Records a refused argument and returns `status` so callers can `return refuse(...)`. */
export function refuse(status: i32, reason: i32): i32 {
  lastReason = reason;
  lastOperation = 0;
  lastError = 0;
  return status;
}

/** Records a failed host operation and returns `status`. */
export function osFailure(status: i32, operation: i32, error: i32): i32 {
  lastReason = REASON_NONE;
  lastOperation = operation;
  lastError = error;
  return status;
}

/** Clears the record at the start of every entry point. */
export function resetFailure(): void {
  lastReason = REASON_NONE;
  lastOperation = 0;
  lastError = 0;
}

export { OK };
