// Large pages on Windows need SeLockMemoryPrivilege, and AdjustTokenPrivileges only enables a
// privilege the account already holds (granted by policy: "Lock pages in memory"). Most accounts,
// administrators included, do not hold it: then large pages are an absent capability, and the
// core maps normal pages for AllocationType.LargePage (documented in docs/platforms.md).
import { WIN32_ERRORS } from './win32-constants.js';
import type { Kernel32 } from './win32-kernel32.js';

const TOKEN_ADJUST_PRIVILEGES = 0x20;
const TOKEN_QUERY = 0x8;
const SE_PRIVILEGE_ENABLED = 0x2;
/** The privilege MEM_LARGE_PAGES needs. */
export const LOCK_MEMORY_PRIVILEGE = 'SeLockMemoryPrivilege';

/** Whether this process may map large pages, and the Windows error that says why not. */
export interface LargePageSupport {
  /** SeLockMemoryPrivilege is held and now enabled, and the CPU has large pages. */
  available: boolean;
  /** GetLargePageMinimum(): the large page size (0 where there are none). */
  minimum: number;
  /** Why not: ERROR_NOT_ALL_ASSIGNED (privilege not held) or the failing call's error; 0 if available. */
  error: number;
}

/** Enables SeLockMemoryPrivilege if the process token holds it (a no-op for tokens without it). */
export function enableLargePages(k: Kernel32): LargePageSupport {
  const minimum = Number(k.GetLargePageMinimum());
  if (minimum === 0) return { available: false, minimum, error: WIN32_ERRORS.ERROR_NOT_SUPPORTED };
  const token: unknown[] = [null];
  if (!k.OpenProcessToken(k.GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, token)) {
    return { available: false, minimum, error: k.GetLastError() };
  }
  try {
    const luid = { LowPart: 0, HighPart: 0 };
    if (!k.LookupPrivilegeValueW(null, LOCK_MEMORY_PRIVILEGE, luid))
      return { available: false, minimum, error: k.GetLastError() };
    const state = { PrivilegeCount: 1, Luid: luid, Attributes: SE_PRIVILEGE_ENABLED };
    if (!k.AdjustTokenPrivileges(token[0], 0, state, 0, null, null))
      return { available: false, minimum, error: k.GetLastError() };
    // AdjustTokenPrivileges "succeeds" for a privilege the token lacks: GetLastError tells.
    const error = k.GetLastError();
    return { available: error === WIN32_ERRORS.ERROR_SUCCESS, minimum, error };
  } finally {
    k.CloseHandle(token[0]);
  }
}
