// MemoryProtectionError (shared/errors.ts) and the error code of each core status.
import { Status } from './generated/core-numbers.js';
import type { MemoryProtectionErrorCode } from '../shared/errors.js';

export {
  MemoryProtectionError,
  invalidArgument,
  type MemoryProtectionErrorCode,
  type OsFailureDetails,
} from '../shared/errors.js';

// Every core status but OK names its error code (the compiler checks it against the type above).
const STATUS_CODES: readonly MemoryProtectionErrorCode[] = (() => {
  const codes: MemoryProtectionErrorCode[] = [];
  for (const [name, status] of Object.entries(Status) as [keyof typeof Status, number][]) {
    if (name !== 'OK') codes[status] = name satisfies MemoryProtectionErrorCode;
  }
  return codes;
})();

/** The error code of a non-zero core status (INVALID_ARGUMENT for a number the core never gives). */
export function codeOfStatus(status: number): MemoryProtectionErrorCode {
  return STATUS_CODES[status] ?? 'INVALID_ARGUMENT';
}
