// What a call throws, for tests that check error codes: it must be a MemoryProtectionError.
import { expect } from 'vitest';
import { MemoryProtectionError } from '../../src/index.js';

/** The MemoryProtectionError `action` throws, or undefined if it returns. */
export function errorOf(action: () => unknown): MemoryProtectionError | undefined {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(MemoryProtectionError);
    return error as MemoryProtectionError;
  }
  return undefined;
}

/** The code of the MemoryProtectionError `action` throws, or undefined if it returns. */
export function codeOf(action: () => unknown): string | undefined {
  return errorOf(action)?.code;
}
