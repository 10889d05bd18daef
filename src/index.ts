// memshield's public API: re-exports only. The simulated host and the host interface are in
// memshield/testing (src/testing.ts).
export { PlatformMemory } from './default-memory.js';
export {
  createPlatformMemory,
  type AllocateOptions,
  type GuardedAllocateOptions,
  type PlatformMemoryStats,
} from './platform-memory.js';
export { MemoryProtectionLevel, AllocationType, type PageKind } from './levels.js';
export { MemoryProtectionError, type MemoryProtectionErrorCode, type OsFailureDetails } from './errors.js';
export { Region } from './region.js';
export type { RegionInfo, AddressRange, GuardRange } from './inspect.js';
export type { KernelRange } from '../host/types.js';
export {
  SecureBuffer,
  type SecureBufferOptions,
  type SecureBufferFromOptions,
  type SecureBufferInfo,
} from './secure-buffer.js';
export type { ScopedView, ScopedResult, SyncResult, AsyncCallbackRefused, ViewReturnRefused } from './scoped-access.js';
export { SecureHeap, type SecureHeapOptions, type SecureHeapStats, type SecureHeapInfo } from './secure-heap.js';
export { configureExitWipe, type ExitWipeOptions } from './exit-wipe.js';
export { configureQuarantine, quarantineStats, type QuarantineOptions, type QuarantineStats } from './quarantine.js';
export {
  hardenProcess,
  type HardenProcessOptions,
  type HardenProcessReport,
  type HardeningStep,
  type HardeningGoal,
} from './harden-process.js';
export type { SecretMemoryPolicy, MemoryBacking } from './levels.js';
export { wipe } from './wipe.js';
export { purge, type PurgeReport, type PurgeCount } from './purge.js';
export { configureLeakReports, type LeakReportOptions } from './leak-reports.js';
export { secretFromFile, type SecretFromFileOptions } from './secret-from-file.js';
export { secretFromString, type SecretEncoding } from './secret-from-string.js';
export { secretFromEnv, type SecretFromEnvOptions } from './secret-from-env.js';
export { readPassword, type ReadPasswordOptions } from './read-password.js';
export {
  memoryMapSvg,
  pagesOf,
  renderPageMapSvg,
  type MapPage,
  type MapRegion,
  type PageRole,
} from './memory-map/index.js';
