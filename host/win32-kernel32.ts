// The Windows calls the win32 host makes, bound through koffi: kernel32 (virtual memory, working
// set, system facts, byte moves), kernelbase (VirtualAlloc2, Windows 10 1803+) and advapi32
// (the SeLockMemoryPrivilege large pages need). Signatures only; what to do with them is win32.ts.
import { loadKoffi } from './node-builtins.js';

let bound: Kernel32 | undefined;

/** The kernel32/kernelbase/advapi32 functions (VirtualAlloc2 undefined where Windows lacks it). */
export function bindKernel32(): Kernel32 {
  bound ??= bindAll();
  return bound;
}

function bindAll() {
  const koffi = loadKoffi();
  const kernel32 = koffi.load('kernel32.dll');
  const advapi32 = koffi.load('advapi32.dll');

  // A type already declared in this process (a second host, a re-imported module) is reused:
  // koffi keeps one type per name and refuses a second declaration.
  const declare = (name: string, members: Record<string, string>) => {
    try {
      return koffi.type(name);
    } catch {
      return koffi.struct(name, members);
    }
  };
  // x64 layouts (winnt.h, sysinfoapi.h, psapi.h); koffi inserts the padding C would.
  declare('memshield_SYSTEM_INFO', {
    wProcessorArchitecture: 'uint16_t',
    wReserved: 'uint16_t',
    dwPageSize: 'uint32_t',
    lpMinimumApplicationAddress: 'uint64_t',
    lpMaximumApplicationAddress: 'uint64_t',
    dwActiveProcessorMask: 'uint64_t',
    dwNumberOfProcessors: 'uint32_t',
    dwProcessorType: 'uint32_t',
    dwAllocationGranularity: 'uint32_t',
    wProcessorLevel: 'uint16_t',
    wProcessorRevision: 'uint16_t',
  });
  declare('memshield_MEMORY_BASIC_INFORMATION', {
    BaseAddress: 'uint64_t',
    AllocationBase: 'uint64_t',
    AllocationProtect: 'uint32_t',
    PartitionId: 'uint16_t',
    RegionSize: 'uint64_t',
    State: 'uint32_t',
    Protect: 'uint32_t',
    Type: 'uint32_t',
  });
  declare('memshield_WORKING_SET_EX', { VirtualAddress: 'uint64_t', VirtualAttributes: 'uint64_t' });
  declare('memshield_MEM_EXTENDED_PARAMETER', { Type: 'uint64_t', Value: 'uint64_t' });
  declare('memshield_MEM_ADDRESS_REQUIREMENTS', {
    LowestStartingAddress: 'uint64_t',
    HighestEndingAddress: 'uint64_t',
    Alignment: 'uint64_t',
  });
  declare('memshield_LUID', { LowPart: 'uint32_t', HighPart: 'int32_t' });
  declare('memshield_TOKEN_PRIVILEGES_1', {
    PrivilegeCount: 'uint32_t',
    Luid: 'memshield_LUID',
    Attributes: 'uint32_t',
  });

  const optional = (library: ReturnType<typeof koffi.load>, signature: string) => {
    try {
      return library.func(signature);
    } catch {
      return undefined; // older Windows (or Wine) without this export
    }
  };
  let kernelbase: ReturnType<typeof koffi.load> | undefined;
  try {
    kernelbase = koffi.load('kernelbase.dll');
  } catch {
    kernelbase = undefined;
  }

  return {
    koffi,
    GetLastError: kernel32.func('uint32_t __stdcall GetLastError()'),
    GetCurrentProcess: kernel32.func('void * __stdcall GetCurrentProcess()'),
    CloseHandle: kernel32.func('int __stdcall CloseHandle(void *handle)'),
    GetSystemInfo: kernel32.func('void __stdcall GetSystemInfo(_Out_ memshield_SYSTEM_INFO *info)'),
    GetLargePageMinimum: kernel32.func('size_t __stdcall GetLargePageMinimum()'),
    VirtualAlloc: kernel32.func(
      'void * __stdcall VirtualAlloc(void *address, size_t size, uint32_t type, uint32_t protect)',
    ),
    VirtualAlloc2:
      kernelbase &&
      optional(
        kernelbase,
        'void * __stdcall VirtualAlloc2(void *process, void *address, size_t size, uint32_t ' +
          'type, uint32_t protect, memshield_MEM_EXTENDED_PARAMETER *parameters, uint32_t count)',
      ),
    VirtualFree: kernel32.func('int __stdcall VirtualFree(void *address, size_t size, uint32_t type)'),
    VirtualProtect: kernel32.func(
      'int __stdcall VirtualProtect(void *address, size_t size, uint32_t protect, _Out_ uint32_t *old)',
    ),
    VirtualLock: kernel32.func('int __stdcall VirtualLock(void *address, size_t size)'),
    VirtualUnlock: kernel32.func('int __stdcall VirtualUnlock(void *address, size_t size)'),
    VirtualQuery: kernel32.func(
      'size_t __stdcall VirtualQuery(void *address, _Out_ memshield_MEMORY_BASIC_INFORMATION *info, size_t length)',
    ),
    QueryWorkingSetEx: optional(
      kernel32,
      'int __stdcall K32QueryWorkingSetEx(void *process, _Inout_ memshield_WORKING_SET_EX *info, uint32_t size)',
    ),
    GetProcessWorkingSetSize: kernel32.func(
      'int __stdcall GetProcessWorkingSetSize(void *process, _Out_ size_t *minimum, _Out_ size_t *maximum)',
    ),
    SetProcessWorkingSetSize: kernel32.func(
      'int __stdcall SetProcessWorkingSetSize(void *process, size_t minimum, size_t maximum)',
    ),
    // SecureZeroMemory is an inline macro, not an export: a foreign call the JIT cannot drop.
    RtlFillMemory: kernel32.func('void __stdcall RtlFillMemory(void *destination, size_t length, uint8_t fill)'),
    RtlMoveMemory: kernel32.func('void __stdcall RtlMoveMemory(void *destination, const void *source, size_t length)'),
    OpenProcessToken: advapi32.func(
      'int __stdcall OpenProcessToken(void *process, uint32_t access, _Out_ void **token)',
    ),
    LookupPrivilegeValueW: advapi32.func(
      'int __stdcall LookupPrivilegeValueW(const char16_t *system, const char16_t *name, _Out_ memshield_LUID *luid)',
    ),
    AdjustTokenPrivileges: advapi32.func(
      'int __stdcall AdjustTokenPrivileges(void *token, int disableAll, ' +
        'memshield_TOKEN_PRIVILEGES_1 *state, uint32_t length, void *previous, void *returnLength)',
    ),
  };
}

export type Kernel32 = ReturnType<typeof bindAll>;

/** The size in bytes of one PSAPI_WORKING_SET_EX_INFORMATION entry. */
export const WORKING_SET_EX_ENTRY = 16;

// PSAPI_WORKING_SET_EX_BLOCK bits (psapi.h): Valid:1, ShareCount:3, Win32Protection:11,
// Shared:1, Node:6, Locked:1, LargePage:1.
export const WORKING_SET_VALID = 1n;
export const WORKING_SET_LOCKED = 1n << 22n;
export const WORKING_SET_LARGE_PAGE = 1n << 23n;
