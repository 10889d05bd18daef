// Windows' own account of this process, read without memshield's host: VirtualQuery,
// QueryWorkingSetEx and raw byte reads through a koffi binding of the tests' own. Tests compare
// what memshield says (inspect) with what these return, as the Linux tests do with smaps.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const koffi = require('koffi') as typeof import('koffi');
const kernel32 = koffi.load('kernel32.dll');

// Reuse a type this process already declared (koffi refuses a second declaration of a name).
const declare = (name: string, members: Record<string, string>) => {
  try {
    return koffi.type(name);
  } catch {
    return koffi.struct(name, members);
  }
};
const MBI = declare('test_MEMORY_BASIC_INFORMATION', {
  BaseAddress: 'uint64_t',
  AllocationBase: 'uint64_t',
  AllocationProtect: 'uint32_t',
  PartitionId: 'uint16_t',
  RegionSize: 'uint64_t',
  State: 'uint32_t',
  Protect: 'uint32_t',
  Type: 'uint32_t',
});
const WSEX = declare('test_WORKING_SET_EX', { VirtualAddress: 'uint64_t', VirtualAttributes: 'uint64_t' });
const VirtualQuery = kernel32.func(
  'size_t __stdcall VirtualQuery(void *address, _Out_ test_MEMORY_BASIC_INFORMATION *info, size_t length)',
);
const QueryWorkingSetEx = kernel32.func('int __stdcall K32QueryWorkingSetEx(void *process, void *info, uint32_t size)');
const GetCurrentProcess = kernel32.func('void * __stdcall GetCurrentProcess()');
const SetProcessWorkingSetSize = kernel32.func(
  'int __stdcall SetProcessWorkingSetSize(void *process, size_t minimum, size_t maximum)',
);
const GetProcessWorkingSetSize = kernel32.func(
  'int __stdcall GetProcessWorkingSetSize(void *process, _Out_ size_t *minimum, _Out_ size_t *maximum)',
);
const GetSystemInfo = kernel32.func('void __stdcall GetSystemInfo(_Out_ uint8_t *info)');

/** winnt.h values, written out again here so the host's table is not checked against itself. */
export const WINDOWS = {
  MEM_COMMIT: 0x1000,
  MEM_RESERVE: 0x2000,
  MEM_FREE: 0x10000,
  MEM_PRIVATE: 0x20000,
  PAGE_NOACCESS: 0x01,
  PAGE_READONLY: 0x02,
  PAGE_READWRITE: 0x04,
  PAGE_EXECUTE: 0x10,
  PAGE_EXECUTE_READ: 0x20,
  PAGE_EXECUTE_READWRITE: 0x40,
  STATUS_ACCESS_VIOLATION: 0xc0000005,
} as const;

/** VirtualQuery's answer for the region containing `address`. */
export interface QueriedRegion {
  base: bigint;
  allocationBase: bigint;
  size: bigint;
  state: number;
  protect: number;
  type: number;
}

export function virtualQuery(address: bigint): QueriedRegion {
  const info = {} as Record<string, number | bigint>;
  if (Number(VirtualQuery(address, info, koffi.sizeof(MBI))) === 0)
    throw new Error(`VirtualQuery(0x${address.toString(16)}) failed`);
  return {
    base: BigInt(info.BaseAddress),
    allocationBase: BigInt(info.AllocationBase),
    size: BigInt(info.RegionSize),
    state: Number(info.State),
    protect: Number(info.Protect),
    type: Number(info.Type),
  };
}

/** Per page of [address, address + length): resident (Valid) and Locked bits from QueryWorkingSetEx. */
export function workingSetPages(
  address: bigint,
  length: number,
  pageSize = 4096,
): { valid: boolean; locked: boolean }[] {
  const pages = Math.ceil(length / pageSize);
  const type = koffi.array(WSEX, pages);
  const buffer = koffi.alloc(WSEX, pages);
  try {
    koffi.encode(
      buffer,
      type,
      Array.from({ length: pages }, (_, i) => ({
        VirtualAddress: address + BigInt(i * pageSize),
        VirtualAttributes: 0n,
      })),
    );
    if (!QueryWorkingSetEx(GetCurrentProcess(), buffer, pages * 16)) throw new Error('QueryWorkingSetEx failed');
    return (koffi.decode(buffer, type) as { VirtualAttributes: bigint | number }[]).map((entry) => {
      const bits = BigInt(entry.VirtualAttributes);
      return { valid: (bits & 1n) !== 0n, locked: (bits & (1n << 22n)) !== 0n };
    });
  } finally {
    koffi.free(buffer);
  }
}

/** Reads `length` bytes at a raw address (the pages must be readable, or the process dies). */
export function rawBytes(address: bigint, length: number): Uint8Array {
  return new Uint8Array(koffi.decode(address, 'uint8_t', length) as number[]);
}

/** GetSystemInfo's dwPageSize (offset 4) and dwAllocationGranularity (offset 40) on x64. */
export function systemInfo(): { pageSize: number; allocationGranularity: number } {
  const info = new Uint8Array(48);
  GetSystemInfo(info);
  const view = new DataView(info.buffer);
  return { pageSize: view.getUint32(4, true), allocationGranularity: view.getUint32(40, true) };
}

/** The process working set bounds, and a way to set them (to make a lock hit the quota). */
export const workingSet = {
  get(): { minimum: number; maximum: number } {
    const minimum = [0];
    const maximum = [0];
    if (!GetProcessWorkingSetSize(GetCurrentProcess(), minimum, maximum))
      throw new Error('GetProcessWorkingSetSize failed');
    return { minimum: Number(minimum[0]), maximum: Number(maximum[0]) };
  },
  set(minimum: number, maximum: number): boolean {
    return SetProcessWorkingSetSize(GetCurrentProcess(), minimum, maximum) !== 0;
  },
};

/** The Wine version when running under Wine (ntdll exports wine_get_version), else undefined. */
export function wineVersion(): string | undefined {
  try {
    return koffi.load('ntdll.dll').func('const char *wine_get_version()')() as string;
  } catch {
    return undefined;
  }
}
