// Allocating at an alignment beyond the 64 KiB allocation granularity.
//
// VirtualAlloc puts every allocation at a multiple of the allocation granularity (64 KiB; the
// large page for MEM_LARGE_PAGES) and takes no alignment. Two ways past that:
//  1. VirtualAlloc2 with MEM_ADDRESS_REQUIREMENTS.Alignment (Windows 10 1803+, and Wine 8):
//     one call, no race. Used wherever kernelbase.dll exports VirtualAlloc2.
//  2. Elsewhere, reserve-larger-then-retry. VirtualFree releases only whole allocations, so the
//     POSIX trick (over-map, then unmap the head and tail) does not carry over: instead reserve
//     length + alignment, compute the aligned address inside, release the probe and allocate
//     exactly there. Another thread may take the hole in between: then try again.
//
//   probe:   base ───────┬─────── aligned ──────────────── aligned + length ───┬──── base + length + alignment
//            │ (released) │ the real allocation, made after the probe is freed  │ (released) │
//
// Both return the address, or the GetLastError code (a number) of the call that failed.
import { MEM, MEM_EXTENDED_PARAMETER_ADDRESS_REQUIREMENTS, PAGE, WIN32_ERRORS } from './win32-constants.js';
import type { Kernel32 } from './win32-kernel32.js';

/** How often reserve-larger-then-retry tries before it gives up (each loss is another thread's win). */
export const ALIGNED_RETRIES = 8;

/** An allocation of `length` bytes at a multiple of `alignment`: the address, or an error code. */
export type AlignedAllocate = (length: number, alignment: number, type: number, protect: number) => bigint | number;

/** One VirtualAlloc2 call with MEM_ADDRESS_REQUIREMENTS; undefined where VirtualAlloc2 is missing. */
export function allocateWithRequirements(k: Kernel32): AlignedAllocate | undefined {
  const { VirtualAlloc2, koffi } = k;
  if (!VirtualAlloc2) return undefined;
  return (length, alignment, type, protect) => {
    const requirements = koffi.alloc('memshield_MEM_ADDRESS_REQUIREMENTS', 1);
    try {
      koffi.encode(requirements, 'memshield_MEM_ADDRESS_REQUIREMENTS', {
        LowestStartingAddress: 0n,
        HighestEndingAddress: 0n,
        Alignment: BigInt(alignment),
      });
      const parameter = {
        Type: BigInt(MEM_EXTENDED_PARAMETER_ADDRESS_REQUIREMENTS),
        Value: koffi.address(requirements),
      };
      const address = VirtualAlloc2(null, null, length, type, protect, [parameter], 1) as bigint | null;
      return address ?? k.GetLastError();
    } finally {
      koffi.free(requirements);
    }
  };
}

/** Reserve length + alignment, release, allocate at the aligned address inside; retry if raced. */
export function allocateByRetry(k: Kernel32): AlignedAllocate {
  return (length, alignment, type, protect) => {
    let error: number = WIN32_ERRORS.ERROR_INVALID_ADDRESS;
    for (let attempt = 0; attempt < ALIGNED_RETRIES; attempt++) {
      const probe = k.VirtualAlloc(null, length + alignment, MEM.RESERVE, PAGE.NOACCESS) as bigint | null;
      if (probe === null) return k.GetLastError();
      const mask = BigInt(alignment - 1);
      const aligned = (probe + mask) & ~mask;
      if (!k.VirtualFree(probe, 0, MEM.RELEASE)) return k.GetLastError();
      const address = k.VirtualAlloc(aligned, length, type, protect) as bigint | null;
      if (address !== null) return address;
      error = k.GetLastError();
      if (error !== WIN32_ERRORS.ERROR_INVALID_ADDRESS) return error; // not a lost race: give up
    }
    return error;
  };
}

/** The aligned allocator this Windows offers: VirtualAlloc2 where it exists, else the retry. */
export function alignedAllocator(k: Kernel32): {
  allocate: AlignedAllocate;
  strategy: 'VirtualAlloc2' | 'reserve-and-retry';
} {
  const direct = allocateWithRequirements(k);
  return direct
    ? { allocate: direct, strategy: 'VirtualAlloc2' }
    : { allocate: allocateByRetry(k), strategy: 'reserve-and-retry' };
}
