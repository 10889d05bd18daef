// The ready-made PlatformMemory bound to this platform's native host. The Wasm core is compiled
// at import; the native host and the core instance are created on the first call, so importing
// memshield never fails on a platform without one (browsers use createSimulatedHost()).
import { createNativeHost } from '#native-host';
import type { Host } from '../host/types.js';
import { MemoryProtectionError } from './errors.js';
import { createPlatformMemory, type PlatformMemory as PlatformMemoryApi } from './platform-memory.js';
import { trackThreadRegions } from './thread-registry.js';

let host: Host | undefined;
let native: PlatformMemoryApi | undefined;

/**
 * @internal This platform's native host, created on first use. Not exported from the package:
 * the host copies and fills without bounds checks, so users reach memory only through the API.
 */
export function nativeHost(): Host {
  if (!host) {
    try {
      // Every mapping also in the process's registry: a worker's are given back when it ends.
      host = trackThreadRegions(createNativeHost());
    } catch (error) {
      throw new MemoryProtectionError(
        'NOT_SUPPORTED',
        `memshield cannot reach this platform's memory: ${(error as Error).message}`,
      );
    }
  }
  return host;
}

/** The native PlatformMemory, created on first use. */
export function nativePlatformMemory(): PlatformMemoryApi {
  native ??= createPlatformMemory({ host: nativeHost() });
  return native;
}

/** @internal The native PlatformMemory if something made it already (purge() must not make it). */
export function madeNativePlatformMemory(): PlatformMemoryApi | undefined {
  return native;
}

/**
 * The specification's `PlatformMemory`, bound to this platform's native host (Linux: mmap,
 * mprotect, mlock, madvise through koffi).
 *
 * @example
 * import { PlatformMemory, MemoryProtectionLevel, AllocationType } from 'memshield';
 * const region = PlatformMemory.allocate(4096, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
 * PlatformMemory.write(region, new Uint8Array(4096).fill(0xaa));
 * PlatformMemory.free(region);
 */
export const PlatformMemory: PlatformMemoryApi = Object.freeze({
  pageSize: () => nativePlatformMemory().pageSize(),
  allocate: (...args) => nativePlatformMemory().allocate(...args),
  free: (region) => nativePlatformMemory().free(region),
  protect: (region, protection) => nativePlatformMemory().protect(region, protection),
  lock: (region) => nativePlatformMemory().lock(region),
  unlock: (region) => nativePlatformMemory().unlock(region),
  secureClear: (region) => nativePlatformMemory().secureClear(region),
  write: (region, data, offset) => nativePlatformMemory().write(region, data, offset),
  read: (region, offset, length) => nativePlatformMemory().read(region, offset, length),
  readInto: (region, target, offset) => nativePlatformMemory().readInto(region, target, offset),
  allocateWithGuardPages: (...args) => nativePlatformMemory().allocateWithGuardPages(...args),
  freeGuardedMemory: (region) => nativePlatformMemory().freeGuardedMemory(region),
  inspect: (region) => nativePlatformMemory().inspect(region),
  stats: () => nativePlatformMemory().stats(),
} satisfies PlatformMemoryApi);
/** The type of the PlatformMemory API (also what createPlatformMemory returns). */
export type PlatformMemory = PlatformMemoryApi;
