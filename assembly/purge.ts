// Purge (memguard's Purge, the panic button): every live secret and heap of this core — or, for a
// PlatformMemory's core, every live region — wiped, checked, unlocked and unmapped now. Unlike
// the process-exit wipe (secret-access.ts wipeEverything), which leaves zeroed mappings for the
// kernel to reclaim, a purge gives everything back, and the process goes on.
//
//   secret or heap          what purge does now                 later
//   ───────────────────     ────────────────────────────────    ──────────────────────────────
//   at rest                 wiped, canary checked, unmapped     handle reads USE_AFTER_FREE
//   inside use()/update()   marked PURGE_PENDING; no new scope  freed when its last scope
//                           (its pages are lent to running      closes (finishDeferredPurge)
//                           code: unmapping them would crash it)
//   heap with a scope open  its other secrets freed and wiped;  destroyed when the last scope
//                           marked PURGE_PENDING; no new alloc  of its secrets closes
//
// It never stops half-way: a step that fails is counted (and its failure record kept: the last
// one), and the purge goes on with the rest. The report is read with purgeStat().
import { OK, CANARY_CORRUPTED, INVALID_ARGUMENT } from "./status";
import { refuse } from "./failure";
import { freeRegion, mappedBytes, lockedBytes } from "./operations";
import { regionSlotCount, regionIsLive, sizeOf } from "./regions";
import { freeSecret, destroyHeap } from "./secret-access";
import { drainQuarantine } from "./quarantine";
import { flushHeap } from "./heap";
import {
  heapRecordCount, heapIsLive, heapOpenScopes, heapFlags, markHeapPurgePending, HEAP_PURGE_PENDING,
} from "./heap-records";
import {
  secretSlotCount, secretIsLive, secretHeap, secretOpen, secretSize, secretPurgePending, markSecretPurgePending,
  liveSecrets, NO_HEAP,
} from "./secrets";
import {
  PURGE_STAT_SECRETS, PURGE_STAT_SECRET_BYTES, PURGE_STAT_HEAPS, PURGE_STAT_HEAP_SECRETS, PURGE_STAT_HEAP_SECRET_BYTES,
  PURGE_STAT_REGIONS, PURGE_STAT_REGION_BYTES, PURGE_STAT_DEFERRED_SECRETS, PURGE_STAT_DEFERRED_HEAPS,
  PURGE_STAT_FAILURES, PURGE_STAT_CANARY_DAMAGE, PURGE_STAT_UNMAPPED_BYTES, PURGE_STAT_UNLOCKED_BYTES,
} from "./fields";
import { REASON_HEAPS_LIVE } from "./heap-status";

// The report of the last purge, one counter per PURGE_STAT_* field.
const REPORT_FIELDS: i32 = 13;
const report = new StaticArray<f64>(REPORT_FIELDS);
/** The status of the last failed step (its failure record is the core's), or OK. */
let lastFailure: i32 = OK;

// @ts-ignore: decorator
@inline function count(field: i32, by: f64 = 1): void { report[field] += by; }

/** Counts one step's status: damage after freeing is still freed; anything else is a failure. */
function tally(status: i32): bool {
  if (status == OK) return true;
  if (status == CANARY_CORRUPTED) { count(PURGE_STAT_CANARY_DAMAGE); return true; }
  count(PURGE_STAT_FAILURES);
  lastFailure = status;
  return false;
}

function startReport(): void {
  for (let field = 0; field < REPORT_FIELDS; field++) report[field] = 0;
  lastFailure = OK;
}

/** What the purge as a whole returns: the last failure, else CANARY_CORRUPTED if damage was found, else OK. */
function finishReport(mappedBefore: u64, lockedBefore: u64): i32 {
  report[PURGE_STAT_UNMAPPED_BYTES] = <f64>(mappedBefore - mappedBytes);
  report[PURGE_STAT_UNLOCKED_BYTES] = <f64>(lockedBefore - lockedBytes);
  if (lastFailure != OK) return lastFailure;
  return report[PURGE_STAT_CANARY_DAMAGE] > 0 ? CANARY_CORRUPTED : OK;
}

/** One field of the last purge's report; -1 for an unknown field. */
export function purgeField(field: i32): f64 {
  return field >= 0 && field < REPORT_FIELDS ? report[field] : -1;
}

/** Purges every live secret and heap of this core (see the table above). */
export function purgeAllSecrets(): i32 {
  startReport();
  const mappedBefore = mappedBytes;
  const lockedBefore = lockedBytes;
  // Standalone secrets first: one page each, the most valuable (keys, tokens).
  const secrets = secretSlotCount();
  for (let secret: u32 = 0; secret < secrets; secret++) {
    if (!secretIsLive(secret) || secretHeap(secret) != NO_HEAP) continue;
    if (secretOpen(secret) > 0) {
      if (!secretPurgePending(secret)) { markSecretPurgePending(secret); count(PURGE_STAT_DEFERRED_SECRETS); }
      continue;
    }
    const size = secretSize(secret);
    if (tally(freeSecret(secret))) { count(PURGE_STAT_SECRETS); count(PURGE_STAT_SECRET_BYTES, <f64>size); }
  }
  const heaps = heapRecordCount();
  for (let h: u32 = 0; h < heaps; h++) {
    if (heapIsLive(h)) purgeHeap(h);
  }
  drainQuarantine(); // freed ranges held against stale views hold no memory: a purge gives them back too
  return finishReport(mappedBefore, lockedBefore);
}

/** Destroys heap `h`, or, while a scope of one of its secrets is open, frees the rest and defers. */
function purgeHeap(h: u32): void {
  const open = heapOpenScopes(h) > 0;
  let freedSecrets: f64 = 0;
  let freedBytes: f64 = 0;
  const secrets = secretSlotCount();
  for (let secret: u32 = 0; secret < secrets; secret++) {
    if (!secretIsLive(secret) || secretHeap(secret) != h) continue;
    const size = <f64>secretSize(secret);
    if (!open) { freedSecrets++; freedBytes += size; continue; } // destroyHeap below frees them all
    if (secretOpen(secret) > 0) {
      if (!secretPurgePending(secret)) { markSecretPurgePending(secret); count(PURGE_STAT_DEFERRED_SECRETS); }
      continue;
    }
    if (tally(freeSecret(secret))) { freedSecrets++; freedBytes += size; }
  }
  if (open) {
    tally(flushHeap(h)); // the slots just freed are wiped now, not at the end of the tick
    if ((heapFlags(h) & HEAP_PURGE_PENDING) == 0) { markHeapPurgePending(h); count(PURGE_STAT_DEFERRED_HEAPS); }
  } else if (tally(destroyHeap(h))) {
    count(PURGE_STAT_HEAPS);
  }
  count(PURGE_STAT_HEAP_SECRETS, freedSecrets);
  count(PURGE_STAT_HEAP_SECRET_BYTES, freedBytes);
}

/**
 * Frees every live region of a PlatformMemory's core. Refused (INVALID_ARGUMENT) in a core that
 * holds secrets or heaps: their regions are theirs to free (purgeAllSecrets).
 */
export function purgeAllRegions(): i32 {
  startReport();
  if (liveSecrets() > 0 || anyLiveHeap()) return refuse(INVALID_ARGUMENT, REASON_HEAPS_LIVE);
  const mappedBefore = mappedBytes;
  const lockedBefore = lockedBytes;
  const slots = regionSlotCount();
  for (let slot: u32 = 0; slot < slots; slot++) {
    if (!regionIsLive(slot)) continue;
    const size = sizeOf(slot);
    if (tally(freeRegion(slot))) { count(PURGE_STAT_REGIONS); count(PURGE_STAT_REGION_BYTES, <f64>size); }
  }
  return finishReport(mappedBefore, lockedBefore);
}

function anyLiveHeap(): bool {
  const heaps = heapRecordCount();
  for (let h: u32 = 0; h < heaps; h++) if (heapIsLive(h)) return true;
  return false;
}

/**
 * After a scope of `secret` closed: if purge() deferred it and no scope of it is left, frees it
 * now, and destroys its heap once no scope of the heap is left. Returns OK, or the status of the
 * free (the secret is gone even then, unless it is FREE_FAILED or PROTECTION_FAILED).
 */
export function finishDeferredPurge(secret: u32): i32 {
  if (!secretPurgePending(secret) || secretOpen(secret) > 0) return OK;
  const h = secretHeap(secret);
  let status = freeSecret(secret);
  if (h != NO_HEAP && heapIsLive(h) && heapOpenScopes(h) == 0) {
    const destroyed = destroyHeap(h);
    if (status == OK) status = destroyed;
  }
  return status;
}

/** True if purge() marked heap `h`: it takes no new secret. */
export function heapPurgePending(h: u32): bool {
  return (heapFlags(h) & HEAP_PURGE_PENDING) != 0;
}
