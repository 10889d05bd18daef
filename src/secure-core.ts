// The core instance behind SecureBuffer and SecureHeap: one per host, shared by every secret and
// heap on it (so one process-exit wipe reaches them all). Separate from PlatformMemory's cores.
import type { Host } from '../host/types.js';
import { bindCore, type BoundCore, type CoreExports } from './core.js';
import { nativeHost } from './default-memory.js';
import { invalidArgument } from './errors.js';
import { weakGet, weakSet } from './intrinsics.js';
import { isHost } from './validate.js';
import type { SecretMemoryPolicy } from './levels.js';

/** The core's SecureBuffer/SecureHeap entry points (assembly/secure-entry.ts). */
export interface SecureCoreExports extends CoreExports {
  secretCreate(size: number, copy: number, options: number): number;
  secretCreatedGeneration(): number;
  secretCheck(secret: number, generation: number): number;
  secretOpenScope(secret: number, generation: number, access: number): number;
  secretCloseScope(secret: number, generation: number): number;
  secretWrite(secret: number, generation: number, offset: number, length: number): number;
  secretRead(secret: number, generation: number, offset: number, length: number): number;
  secretFree(secret: number, generation: number): number;
  secretField(secret: number, field: number): number;
  secretLiveCount(): number;
  heapCreate(arenaBytes: number, maxBytes: number, options: number): number;
  heapCreatedGeneration(): number;
  heapCheck(heap: number, generation: number): number;
  heapAlloc(heap: number, generation: number, size: number): number;
  heapFlush(heap: number, generation: number): number;
  heapTrim(heap: number, generation: number): number;
  heapDestroy(heap: number, generation: number): number;
  heapStat(heap: number, field: number): number;
  heapArenaRegion(heap: number, index: number): number;
  heapSlotSize(size: number): number;
  heapSlotsPerPage(size: number): number;
  wipeAllSecrets(): number;
}

/** Fields of secretField (assembly/secure-entry.ts). */
export const SecretField = {
  size: 0,
  hostId: 1,
  dataOffset: 2,
  inSlot: 3,
  openCount: 4,
  protection: 5,
  region: 6,
  heap: 7,
  pagesOffset: 8,
  pagesLength: 9,
  slotSize: 10,
} as const;

/** Statistics of heapStat (assembly/secure-entry.ts). */
export const HeapStat = {
  live: 0,
  usedBytes: 1,
  slotBytes: 2,
  reservedBytes: 3,
  lockedBytes: 4,
  arenas: 5,
  dedicated: 6,
  pending: 7,
  openScopes: 8,
  canaryFailures: 9,
  damagedOffset: 10,
  damagedRegion: 11,
  arenaPages: 12,
  formattedPages: 13,
  maxBytes: 14,
  lockBestEffort: 15,
  secretBytes: 16,
  secretPolicy: 17,
} as const;

/** Core statuses used here by name (assembly/status.ts). */
export const Status = {
  OK: 0,
  ACCESS_DENIED: 3,
  USE_AFTER_FREE: 4,
  DOUBLE_FREE: 5,
  CANARY_CORRUPTED: 11,
} as const;

/** Scoped access levels (assembly/protection.ts). */
export const Access = { ReadOnly: 1, ReadWrite: 2 } as const;

/** Option bit of secretCreate and heapCreate: a lock failure leaves memory unlocked. */
export const OPTION_LOCK_BEST_EFFORT = 1;
/** Option bits of secretCreate and heapCreate: secret memory (memfd_secret) preferred, or required. */
export const OPTION_SECRET_PREFERRED = 1 << 1;
export const OPTION_SECRET_REQUIRED = 1 << 2;

/** The secretCreate/heapCreate option bits of a secretMemory policy. */
export function secretMemoryOption(policy: SecretMemoryPolicy): number {
  return policy === 'required' ? OPTION_SECRET_REQUIRED : policy === 'preferred' ? OPTION_SECRET_PREFERRED : 0;
}

/** A core bound to a host, with the secret entry points typed. */
export interface SecureCore {
  readonly host: Host;
  readonly exports: SecureCoreExports;
  /** Runs `call` with `buffer` as the source or target of the core's byte copies. */
  withStaged<T>(buffer: Uint8Array, call: () => T): T;
}

const cores = new WeakMap<Host, SecureCore>();
/** Every secure core made so far, for the process-exit wipe. */
export const secureCores = new Set<SecureCore>();

/** The shared secure core of `host` (made on first use). */
export function secureCoreFor(host: Host): SecureCore {
  let core = weakGet(cores, host);
  if (!core) {
    const bound: BoundCore = bindCore(host);
    core = { host, exports: bound.exports as SecureCoreExports, withStaged: bound.withStaged };
    weakSet(cores, host, core);
    secureCores.add(core);
  }
  return core;
}

/** The host of an options object, or this platform's native host. */
export function hostFromOptions(host: unknown, what: string): Host {
  if (host === undefined) return nativeHost();
  if (!isHost(host)) {
    throw invalidArgument(`${what}: options.host must be a host (createSimulatedHost() or the native one), got ${host === null ? 'null' : typeof host}`);
  }
  return host as Host;
}
