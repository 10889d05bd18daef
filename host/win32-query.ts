// Windows' own view of a range, as Linux's /proc/self/smaps gives it: VirtualQuery walks the
// range one region of equal state, protection and type at a time; QueryWorkingSetEx says per
// page whether it is resident (Valid) and locked (Locked). `inspect` reports these entries.
import type { KernelRange } from './types.js';
import { MEM, describeMemoryConstant, describeProtection } from './win32-constants.js';
import {
  WORKING_SET_EX_ENTRY,
  WORKING_SET_LARGE_PAGE,
  WORKING_SET_LOCKED,
  WORKING_SET_VALID,
  type Kernel32,
} from './win32-kernel32.js';

const MBI_SIZE = 48; // sizeof(MEMORY_BASIC_INFORMATION) on x64

/** One VirtualQuery answer: the region of equal attributes that contains `address`. */
export interface MemoryBasicInformation {
  BaseAddress: bigint;
  AllocationBase: bigint;
  AllocationProtect: number;
  RegionSize: bigint;
  State: number;
  Protect: number;
  Type: number;
}

/** VirtualQuery at `address`, or undefined where it fails (beyond the user address space). */
export function virtualQuery(k: Kernel32, address: bigint): MemoryBasicInformation | undefined {
  const info = {} as MemoryBasicInformation;
  if (Number(k.VirtualQuery(address, info, MBI_SIZE)) === 0) return undefined;
  return {
    ...info,
    BaseAddress: BigInt(info.BaseAddress),
    AllocationBase: BigInt(info.AllocationBase),
    RegionSize: BigInt(info.RegionSize),
  };
}

/** Resident, locked and large-page bytes of [start, end), page by page (zero without QueryWorkingSetEx). */
function workingSetBytes(
  k: Kernel32,
  start: bigint,
  end: bigint,
  pageSize: number,
): { resident: number; locked: number; large: number } {
  const pages = Number((end - start) / BigInt(pageSize));
  if (!k.QueryWorkingSetEx || pages === 0) return { resident: 0, locked: 0, large: 0 };
  const { koffi } = k;
  const type = koffi.array('memshield_WORKING_SET_EX', pages);
  const buffer = koffi.alloc('memshield_WORKING_SET_EX', pages);
  let entries: { VirtualAttributes: bigint | number }[];
  try {
    koffi.encode(
      buffer,
      type,
      Array.from({ length: pages }, (_, i) => ({
        VirtualAddress: start + BigInt(i * pageSize),
        VirtualAttributes: 0n,
      })),
    );
    if (!k.QueryWorkingSetEx(k.GetCurrentProcess(), buffer, pages * WORKING_SET_EX_ENTRY))
      return { resident: 0, locked: 0, large: 0 };
    entries = koffi.decode(buffer, type);
  } finally {
    koffi.free(buffer);
  }
  let resident = 0;
  let locked = 0;
  let large = 0;
  for (const entry of entries) {
    const attributes = BigInt(entry.VirtualAttributes);
    if (attributes & WORKING_SET_VALID) resident += pageSize;
    if (attributes & WORKING_SET_LOCKED) locked += pageSize;
    if (attributes & WORKING_SET_LARGE_PAGE) large += pageSize;
  }
  return { resident, locked, large };
}

/** The flag words a range gets when every one of its pages has the QueryWorkingSetEx bit. */
export const WORKING_SET_FLAGS = { locked: 'Locked', largePage: 'LargePage' } as const;

/**
 * The VirtualQuery regions overlapping [address, address + length), whole (as smaps entries are):
 * `permissions` is the access (`PAGE_READWRITE`), `flags` its modifiers (`PAGE_GUARD`) plus
 * `Locked` / `LargePage` when QueryWorkingSetEx sets that bit for every page of the range (as
 * smaps prints `lo` per mapping), `state` and `type` the MEM_* values.
 */
export function queryRanges(k: Kernel32, address: bigint, length: number, pageSize: number): KernelRange[] {
  const end = address + BigInt(length);
  const ranges: KernelRange[] = [];
  let cursor = address;
  while (cursor < end) {
    const info = virtualQuery(k, cursor);
    if (!info || info.RegionSize === 0n) break;
    const start = info.BaseAddress;
    const stop = start + info.RegionSize;
    const { access, modifiers } = describeProtection(info.Protect);
    const committed = info.State === MEM.COMMIT; // only committed pages can be resident
    const bytes = committed ? workingSetBytes(k, start, stop, pageSize) : { resident: 0, locked: 0, large: 0 };
    const size = Number(info.RegionSize);
    const flags = [...modifiers];
    if (committed && bytes.locked === size) flags.push(WORKING_SET_FLAGS.locked);
    if (committed && bytes.large === size) flags.push(WORKING_SET_FLAGS.largePage);
    ranges.push({
      start,
      end: stop,
      permissions: access,
      flags,
      lockedBytes: bytes.locked,
      residentBytes: bytes.resident,
      state: describeMemoryConstant(info.State),
      type: describeMemoryConstant(info.Type),
    });
    cursor = stop;
  }
  return ranges;
}
