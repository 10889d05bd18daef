// What memshield itself holds on a host, across every core bound to it (PlatformMemory's, and the
// one behind SecureBuffer and SecureHeap): for LOCK_FAILED messages, so a user can tell whether
// the locked memory that ran out is memshield's own (secrets never disposed) or someone else's.
import type { Host } from '../host/types.js';
import type { CoreExports, SecureCoreExports } from './core-exports.js';
import { weakGet, weakSet } from '../shared/intrinsics.js';

/** memshield's own live secrets, regions and locked bytes on one host. */
export interface OwnUsage {
  /** Live SecureBuffers (standalone and in heaps). */
  secrets: number;
  /** Live regions: PlatformMemory regions, standalone SecureBuffers and heap arenas. */
  regions: number;
  /** Bytes of those regions that are locked. */
  lockedBytes: number;
}

// Keyed by host, so the cores of a dropped (simulated) host go with it. Captured WeakMap methods
// and plain indexing: a caller's patched Set or Array prototype changes nothing here.
const coresByHost = new WeakMap<Host, CoreExports[]>();

/** Records a core bound to `host` (core.ts calls this once per bound core). */
export function registerCore(host: Host, core: CoreExports): void {
  let cores = weakGet(coresByHost, host);
  if (!cores) {
    cores = [];
    weakSet(coresByHost, host, cores);
  }
  cores[cores.length] = core;
}

/** What memshield's cores on `host` hold now. */
export function ownUsage(host: Host): OwnUsage {
  const usage: OwnUsage = { secrets: 0, regions: 0, lockedBytes: 0 };
  const cores = weakGet(coresByHost, host) ?? [];
  for (let i = 0; i < cores.length; i++) {
    const core = cores[i];
    // Every core is the same Wasm module: PlatformMemory's count 0 secrets, but answer all the same.
    usage.secrets += (core as SecureCoreExports).secretLiveCount() >>> 0;
    usage.regions += core.statLiveRegions() >>> 0;
    usage.lockedBytes += core.statLockedBytes();
  }
  return usage;
}

/** The usage as a sentence part: "memshield itself holds 3 live secrets in 5 regions, 20480 bytes of them locked". */
export function describeOwnUsage(host: Host): string {
  const { secrets, regions, lockedBytes } = ownUsage(host);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return (
    `memshield itself holds ${plural(secrets, 'live secret')} in ` +
    `${plural(regions, 'region')}, ${plural(lockedBytes, 'byte')} of them locked`
  );
}
