// Protection levels and what each allows (src/ and host/ read the numbers through numbers.ts).

export const NO_ACCESS: u8 = 0;
export const READ_ONLY: u8 = 1;
export const READ_WRITE: u8 = 2;
export const EXECUTE: u8 = 3;
export const READ_EXECUTE: u8 = 4;
export const READ_WRITE_EXECUTE: u8 = 5;
export const PROTECTION_COUNT: i32 = 6;

// @ts-ignore: decorator
@inline export function canRead(level: u8): bool {
  return level == READ_ONLY || level == READ_WRITE || level == READ_EXECUTE || level == READ_WRITE_EXECUTE;
}

// @ts-ignore: decorator
@inline export function canExecute(level: u8): bool {
  return level == EXECUTE || level == READ_EXECUTE || level == READ_WRITE_EXECUTE;
}

// @ts-ignore: decorator
@inline export function canWrite(level: u8): bool {
  return level == READ_WRITE || level == READ_WRITE_EXECUTE;
}

// Allocation types (src/ reads the numbers through numbers.ts).
export const TYPE_REGULAR: u8 = 0;
export const TYPE_SECURE: u8 = 1;
export const TYPE_LARGE_PAGE: u8 = 2;
export const TYPE_COUNT: i32 = 3;
