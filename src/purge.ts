// purge(): memguard's Purge, the panic button. Every live SecureBuffer and SecureHeap of this copy
// of memshield in this thread (on every host), and every region of the ready-made PlatformMemory,
// is wiped, checked, unlocked and unmapped now; their handles then throw USE_AFTER_FREE saying
// so. The order and the deferral of secrets in use are the core's (assembly/purge.ts).
import { emitCodedWarning } from './emit-warning.js';
import { MemoryProtectionError } from './errors.js';
import { errorFromStatus } from './failures.js';
import { madeNativePlatformMemory } from './default-memory.js';
import { PurgeStat, Status } from './generated/core-numbers.js';
import { regionPurges } from './platform-memory.js';
import { forgetLastPurge, recordPurge } from './purge-log.js';
import { forEachSecureCore } from './secure-core.js';
import { secureError } from './secure-failures.js';
import { weakGet } from '../shared/intrinsics.js';
import type { SecureCoreExports } from './core-exports.js';

/** How many things of one kind a purge freed, and the bytes they held. */
export interface PurgeCount {
  count: number;
  bytes: number;
}

/** What {@link purge} did. */
export interface PurgeReport {
  /** When the purge ran (ISO 8601); USE_AFTER_FREE messages of the handles it ended name it. */
  at: string;
  /** Standalone SecureBuffers (`from`/`alloc`) wiped and unmapped: count and their sizes. */
  secureBuffers: PurgeCount;
  /** SecureHeaps destroyed (arenas wiped and unmapped). */
  heaps: number;
  /** Secrets of those heaps (and of heaps deferred below) wiped: count and their sizes. */
  heapSecrets: PurgeCount;
  /** Regions of the ready-made `PlatformMemory` wiped and unmapped: count and their sizes. */
  regions: PurgeCount;
  /**
   * Secrets inside a running use()/update() (purge() was called from its callback): wiped and
   * unmapped when that callback returns, and refused any new use() meanwhile; `heaps`: heaps
   * holding such a secret, destroyed when the last of them returns.
   */
  deferred: { secrets: number; heaps: number };
  /** Bytes of mappings given back to the OS (guard pages included). */
  unmappedBytes: number;
  /** Bytes of locked memory given back. */
  unlockedBytes: number;
  /**
   * What could not be done, one error per core that had a failure (the rest was still purged).
   * Damaged canaries are here too (CANARY_CORRUPTED: that memory was still wiped and unmapped).
   */
  failures: MemoryProtectionError[];
}

/**
 * Wipes and frees every live secret now (memguard's `Purge`): every SecureBuffer and SecureHeap
 * this copy of memshield made in this thread — on the native host and on simulated ones — and
 * every region of the ready-made `PlatformMemory` (not those of memories from
 * `createPlatformMemory`, which belong to their caller). Their pages are wiped, canaries checked,
 * locks dropped and mappings unmapped; afterwards every old SecureBuffer, SecureHeap and Region
 * throws USE_AFTER_FREE ("purged by purge() at …"). New secrets can be made at once.
 *
 * A secret whose use()/update() callback is running (purge() called from inside it) cannot be
 * unmapped under that callback: it is refused any new scope, and wiped and unmapped the moment
 * the callback returns; its heap is destroyed when the last such callback returns. The report
 * counts them under `deferred`.
 *
 * It never throws and never stops half-way: a step that fails is reported in `failures` (and as
 * one process warning, code `MEMSHIELD_PURGE_INCOMPLETE`), and the purge goes on. Calling it
 * again is harmless (it finds nothing left). Other threads' secrets are theirs: call purge() in
 * each worker.
 *
 * @returns what was wiped, per kind, and what failed
 * @example
 * process.on('SIGUSR2', () => {
 *   const { secureBuffers, heapSecrets } = purge();
 *   console.error(`purged ${secureBuffers.count + heapSecrets.count} secrets`);
 * });
 */
export function purge(): PurgeReport {
  const report: PurgeReport = {
    at: new Date().toISOString(),
    secureBuffers: { count: 0, bytes: 0 },
    heaps: 0,
    heapSecrets: { count: 0, bytes: 0 },
    regions: { count: 0, bytes: 0 },
    deferred: { secrets: 0, heaps: 0 },
    unmappedBytes: 0,
    unlockedBytes: 0,
    failures: [],
  };
  // Recorded first: a deferred secret's handle must already name this purge when it is refused.
  recordPurge(report.at);
  forEachSecureCore((core) => {
    const status = core.exports.purgeSecrets();
    if (status !== Status.OK) report.failures.push(failure(() => secureError(core, status, 'purge the secrets')));
    add(report, core.exports);
  });
  const memory = madeNativePlatformMemory();
  const regions = memory && weakGet(regionPurges, memory);
  if (regions) {
    const status = regions.core.purgeRegions();
    if (status !== Status.OK)
      report.failures.push(
        failure(() =>
          errorFromStatus(regions.core, regions.host, status, { action: 'purge the regions of PlatformMemory' }),
        ),
      );
    add(report, regions.core);
  }
  if (report.failures.length > 0) warnIncomplete(report.failures);
  // A purge that found nothing ended no handle: it need not be remembered.
  const touched =
    report.secureBuffers.count +
    report.heaps +
    report.heapSecrets.count +
    report.regions.count +
    report.deferred.secrets +
    report.deferred.heaps +
    report.failures.length;
  if (touched === 0) forgetLastPurge();
  return report;
}

/** Adds one core's purge report (purgeStat) to `report`. */
function add(report: PurgeReport, core: SecureCoreExports): void {
  const stat = (name: keyof typeof PurgeStat) => core.purgeStat(PurgeStat[name]);
  report.secureBuffers.count += stat('secrets');
  report.secureBuffers.bytes += stat('secretBytes');
  report.heaps += stat('heaps');
  report.heapSecrets.count += stat('heapSecrets');
  report.heapSecrets.bytes += stat('heapSecretBytes');
  report.regions.count += stat('regions');
  report.regions.bytes += stat('regionBytes');
  report.deferred.secrets += stat('deferredSecrets');
  report.deferred.heaps += stat('deferredHeaps');
  report.unmappedBytes += stat('unmappedBytes');
  report.unlockedBytes += stat('unlockedBytes');
}

/** The error of a failed step; building it must not stop the purge either. */
function failure(build: () => MemoryProtectionError): MemoryProtectionError {
  try {
    return build();
  } catch (error) {
    return new MemoryProtectionError(
      'FREE_FAILED',
      `purge(): a step failed and its error could not be described (${(error as Error)?.message ?? String(error)}).`,
    );
  }
}

/** One warning for the whole purge: a panic button does not throw, but it is never silent. */
function warnIncomplete(failures: MemoryProtectionError[]): void {
  emitCodedWarning(
    `purge() finished with ${failures.length} failure${failures.length === 1 ? '' : 's'} ` +
      `(everything else was wiped and freed; see the ` +
      `report's failures): ${failures.map((error) => `${error.code}: ${error.message}`).join(' | ')}`,
    'MEMSHIELD_PURGE_INCOMPLETE',
  );
}
