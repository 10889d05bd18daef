// macOS's own account of a range, read without memshield's host: mach_vm_region with
// VM_REGION_BASIC_INFO_64 gives per region its protection, inheritance (VM_INHERIT_NONE is the
// DontFork guarantee) and user_wired_count (mlock wires pages). macOS only.
//
// struct vm_region_basic_info_64 (osfmk/mach/vm_region.h, under #pragma pack(4)):
//  0 protection  4 max_protection  8 inheritance  12 shared  16 reserved  20 offset (u64)
//  28 behavior  32 user_wired_count (u16)  → 36 bytes, VM_REGION_BASIC_INFO_COUNT_64 = 9
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const koffi = require('koffi') as typeof import('koffi');
const libSystem = koffi.load('/usr/lib/libSystem.B.dylib');
const task = koffi.decode(libSystem.symbol('mach_task_self_'), 'uint32_t') as number;
const machVmRegion = libSystem.func(
  'int mach_vm_region(uint32_t task, _Inout_ uint64_t *address, _Inout_ uint64_t ' +
    '*size, int flavor, void *info, _Inout_ uint32_t *count, _Out_ uint32_t *objectName)',
);

const VM_REGION_BASIC_INFO_64 = 9;
const VM_REGION_BASIC_INFO_COUNT_64 = 9;

/** One region as the kernel reports it. */
export interface MachRegion {
  start: bigint;
  end: bigint;
  protection: number;
  inheritance: number;
  userWiredCount: number;
}

/** The region containing `address` (mach_vm_region returns the next one when none does). */
export function machRegion(address: bigint): MachRegion {
  const start = [address];
  const size = [0n];
  const info = new Uint8Array(VM_REGION_BASIC_INFO_COUNT_64 * 4);
  const count = [VM_REGION_BASIC_INFO_COUNT_64];
  const result = machVmRegion(task, start, size, VM_REGION_BASIC_INFO_64, info, count, [0]);
  if (result !== 0) throw new Error(`mach_vm_region failed with kern_return_t ${result}`);
  const view = new DataView(info.buffer);
  const region = {
    start: BigInt(start[0]),
    end: BigInt(start[0]) + BigInt(size[0]),
    protection: view.getInt32(0, true),
    inheritance: view.getUint32(8, true),
    userWiredCount: view.getUint16(32, true),
  };
  if (region.start > address) throw new Error(`no region contains 0x${address.toString(16)}`);
  return region;
}

/** Reads `length` bytes at a raw address (the pages must be readable, or the process dies). */
export function rawBytes(address: bigint, length: number): Uint8Array {
  return new Uint8Array(koffi.decode(address, 'uint8_t', length) as number[]);
}
