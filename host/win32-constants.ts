// The Windows numbers the win32 host uses (winnt.h, winerror.h, memoryapi.h), in one table, and
// the names `inspect` and error messages print for them. test/windows checks them.
import { Protection } from './types.js';

/** VirtualAlloc allocation types and VirtualFree free types (winnt.h). */
export const MEM = {
  COMMIT: 0x1000,
  RESERVE: 0x2000,
  DECOMMIT: 0x4000,
  RELEASE: 0x8000,
  FREE: 0x10000,
  PRIVATE: 0x20000,
  MAPPED: 0x40000,
  IMAGE: 0x1000000,
  LARGE_PAGES: 0x20000000,
} as const;

/** Page protections (winnt.h). The low byte is the access; the rest are modifiers. */
export const PAGE = {
  NOACCESS: 0x01,
  READONLY: 0x02,
  READWRITE: 0x04,
  WRITECOPY: 0x08,
  EXECUTE: 0x10,
  EXECUTE_READ: 0x20,
  EXECUTE_READWRITE: 0x40,
  EXECUTE_WRITECOPY: 0x80,
  GUARD: 0x100,
  NOCACHE: 0x200,
  WRITECOMBINE: 0x400,
} as const;

/** MEM_EXTENDED_PARAMETER_TYPE's MemExtendedParameterAddressRequirements (winnt.h). */
export const MEM_EXTENDED_PARAMETER_ADDRESS_REQUIREMENTS = 1;

/** The native protection for each portable level. */
export const WIN32_PROTECTION: Readonly<Record<Protection, number>> = {
  [Protection.NoAccess]: PAGE.NOACCESS,
  [Protection.ReadOnly]: PAGE.READONLY,
  [Protection.ReadWrite]: PAGE.READWRITE,
  [Protection.Execute]: PAGE.EXECUTE,
  [Protection.ReadExecute]: PAGE.EXECUTE_READ,
  [Protection.ReadWriteExecute]: PAGE.EXECUTE_READWRITE,
};

/** The GetLastError codes these calls give (winerror.h). */
export const WIN32_ERRORS = {
  ERROR_SUCCESS: 0,
  ERROR_ACCESS_DENIED: 5,
  ERROR_INVALID_HANDLE: 6,
  ERROR_NOT_ENOUGH_MEMORY: 8,
  ERROR_OUTOFMEMORY: 14,
  ERROR_NOT_SUPPORTED: 50,
  ERROR_INVALID_PARAMETER: 87,
  ERROR_CALL_NOT_IMPLEMENTED: 120,
  ERROR_PROC_NOT_FOUND: 127,
  ERROR_NOT_LOCKED: 158,
  ERROR_INVALID_ADDRESS: 487,
  ERROR_NOACCESS: 998,
  ERROR_NOT_ALL_ASSIGNED: 1300,
  ERROR_PRIVILEGE_NOT_HELD: 1314,
  ERROR_NO_SYSTEM_RESOURCES: 1450,
  ERROR_NONPAGED_SYSTEM_RESOURCES: 1451,
  ERROR_PAGED_SYSTEM_RESOURCES: 1452,
  ERROR_WORKING_SET_QUOTA: 1453,
  ERROR_PAGEFILE_QUOTA: 1454,
  ERROR_COMMITMENT_LIMIT: 1455,
} as const;

const ERROR_NAMES = new Map<number, string>(Object.entries(WIN32_ERRORS).map(([name, code]) => [code, name]));

/** The symbolic name of a GetLastError code (`ERROR_WORKING_SET_QUOTA`), or `Windows error N`. */
export function win32ErrorName(code: number): string {
  return ERROR_NAMES.get(code) ?? `Windows error ${code}`;
}

/** A PAGE_* protection as VirtualQuery reports it: the access name plus any modifiers. */
export function describeProtection(protect: number): { access: string; modifiers: string[] } {
  const names = Object.entries(PAGE);
  const access = names.find(([, value]) => value <= 0x80 && value === (protect & 0xff))?.[0];
  const modifiers = names
    .filter(([, value]) => value > 0x80 && (protect & value) !== 0)
    .map(([name]) => `PAGE_${name}`);
  return { access: access ? `PAGE_${access}` : protect === 0 ? '' : `0x${protect.toString(16)}`, modifiers };
}

/** A MEM_* state (MEM_COMMIT, MEM_RESERVE, MEM_FREE) or type (MEM_PRIVATE, MEM_MAPPED, MEM_IMAGE). */
export function describeMemoryConstant(value: number): string {
  const found = Object.entries(MEM).find(([, known]) => known === value);
  return found ? `MEM_${found[0]}` : value === 0 ? '' : `0x${value.toString(16)}`;
}
