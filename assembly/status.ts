// Status codes the core returns to the public layer. A negative i32 from an entry point that
// otherwise returns a handle is `-status`. numbers.ts exports them (and the reasons below) to
// src/ through src/generated/core-numbers.ts; nothing copies them by hand.

export const OK: i32 = 0;
export const INVALID_ARGUMENT: i32 = 1;
export const OUT_OF_BOUNDS: i32 = 2;
export const ACCESS_DENIED: i32 = 3;
export const USE_AFTER_FREE: i32 = 4;
export const DOUBLE_FREE: i32 = 5;
export const ALLOCATION_FAILED: i32 = 6;
export const PROTECTION_FAILED: i32 = 7;
export const LOCK_FAILED: i32 = 8;
export const UNLOCK_FAILED: i32 = 9;
export const NOT_SUPPORTED: i32 = 10;
export const CANARY_CORRUPTED: i32 = 11;
export const FREE_FAILED: i32 = 12;

// Why an argument was refused (read by the public layer to write a precise message).
export const REASON_NONE: i32 = 0;
export const REASON_SIZE_NOT_POSITIVE_INTEGER: i32 = 1;
export const REASON_SIZE_TOO_LARGE: i32 = 2;
export const REASON_ALIGN_NOT_POWER_OF_TWO: i32 = 3;
export const REASON_ALIGN_TOO_LARGE: i32 = 4;
export const REASON_UNKNOWN_PROTECTION: i32 = 5;
export const REASON_UNKNOWN_TYPE: i32 = 6;
export const REASON_GUARD_COUNT: i32 = 7;
export const REASON_NO_GUARD_PAGES: i32 = 8;
export const REASON_NOT_A_REGION: i32 = 9;
export const REASON_NOT_GUARDED: i32 = 10;
export const REASON_OFFSET: i32 = 11;
export const REASON_LENGTH: i32 = 12;
export const REASON_PAGE_SIZE: i32 = 13;
export const REASON_SECRET_MEMORY_LOCKED: i32 = 14; // unlock of secret memory: the kernel keeps it locked
export const REASON_SECRET_MEMORY_TYPE: i32 = 15; // secret memory asked for a region that is not Secure
export const REASON_SECRET_MEMORY_EXECUTE: i32 = 16; // secret memory required with an execute protection
export const REASON_MEMORY_SHORT: i32 = 17; // the pages to commit (or lock) are more than the process can still commit
