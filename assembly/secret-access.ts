// Secrets as SecureBuffer holds them: creation, scoped access, copies, freeing, and the wipe of
// everything at process exit. Handles are checked by the entry points (secure-entry.ts).
//
// Scoped access. A use() opens the secret's pages ReadOnly, an update() ReadWrite; both close
// them when the call returns. Opens nest: each page (heap slot) or region (own region) counts
// its open scopes and keeps the widest access asked for until the count drops to zero, then
// goes back to NoAccess.
//
//  heap page, two secrets A and B on it:
//   A.use ─────────────────────────────────────────────► return
//          B.update ────────► return
//   page:  ---p → r--p   → rw-p (widest)    rw-p (A still open)  → ---p
//   count:  0      1          2                 1                      0
import {
  OK, ACCESS_DENIED, OUT_OF_BOUNDS, PROTECTION_FAILED, CANARY_CORRUPTED, INVALID_ARGUMENT, REASON_OFFSET,
  REASON_LENGTH,
} from "./status";
import { refuse, osFailure } from "./failure";
import { WIPE_BYTE } from "./wipe-policy";
import { hostProtect, hostFill, hostCopyIn, hostCopyOut, OP_PROTECT, OP_COPY_IN, OP_COPY_OUT } from "./host";
import { pageSize } from "./machine";
import { NO_ACCESS, READ_ONLY, READ_WRITE, TYPE_SECURE, canRead } from "./protection";
import { allocateRegion, freeRegion, protectRegion } from "./operations";
import {
  hostIdOf, protectionOf, setProtection, dataOffsetOf, dataPagesOffsetOf, dataPagesLengthOf, mappingLengthOf,
  flagsOf, FLAG_LOCKED, FLAG_SECRET_MEMORY,
} from "./regions";
import { pageProtection, setPageProtection, pageOpen, setPageOpen, pageNumber } from "./heap-pages";
import { arenaHostId, arenaNext, arenaVirgin, pageOffset, NO_ARENA } from "./heap-arenas";
import {
  heapIsLive, heapRecordCount, heapFirstArena, heapFlags, heapOpenScopes, heapCanaryFailures, releaseHeap,
  recordDamage, addHeapOpenScopes, addHeapDedicated, addHeapLive, addHeapUsedBytes, addHeapReservedBytes,
  addHeapLockedBytes, addHeapSecretBytes,
} from "./heap-records";
import { allocSlot, freeSlot, releaseHeapArenas, heapRegionOptions } from "./heap";
import { drainQuarantine } from "./quarantine";
import {
  claimSecret, releaseSecret, secretInSlot, secretHeap, secretOwner, secretPage, secretSlot, secretOpen,
  setSecretOpen, secretSize, secretDataOffset, secretIsLive, secretSlotCount, NO_HEAP,
} from "./secrets";
import { REASON_SECRET_OPEN, REASON_NOT_OPEN, REASON_HEAP_OPEN, REASON_NOT_READABLE } from "./heap-status";

/** How wide an access is: NoAccess < ReadOnly < ReadWrite. */
// @ts-ignore: decorator
@inline function rank(protection: u8): u8 {
  return protection == READ_WRITE ? 2 : protection == READ_ONLY ? 1 : 0;
}

// ── Creating ─────────────────────────────────────────────────────────────────────────────────

/**
 * A secret in a Secure region of its own (heap NO_HEAP: a standalone SecureBuffer), zero-filled,
 * or holding the `copyLength` (= size) staged bytes. `options` are allocateRegion's (lock policy,
 * secret memory). Returns the secret or -status.
 */
export function createRegionSecret(h: u32, size: u64, copy: bool, options: u32): i32 {
  // With bytes to copy the region is made ReadWrite and closed after the copy (one call fewer).
  const region = allocateRegion(size, 16, copy ? READ_WRITE : NO_ACCESS, TYPE_SECURE, 0, 0, options);
  if (region < 0) return region;
  const slot = <u32>region;
  if (copy) {
    const error = hostCopyIn(hostIdOf(slot), <f64>dataOffsetOf(slot), <f64>size);
    const status = error ? osFailure(ACCESS_DENIED, OP_COPY_IN, error) : protectRegion(slot, NO_ACCESS);
    if (status != OK) {
      freeRegion(slot); // undo: wipes whatever was copied, unmaps
      return -status;
    }
  }
  if (h != NO_HEAP) {
    addHeapDedicated(h, 1);
    addHeapLive(h, 1);
    addHeapUsedBytes(h, <i64>size);
    addHeapReservedBytes(h, <i64>mappingLengthOf(slot));
    if (flagsOf(slot) & FLAG_LOCKED) addHeapLockedBytes(h, <i64>dataPagesLengthOf(slot));
    if (flagsOf(slot) & FLAG_SECRET_MEMORY) addHeapSecretBytes(h, <i64>dataPagesLengthOf(slot));
  }
  return <i32>claimSecret(0, h, slot, 0, 0, size, dataOffsetOf(slot));
}

/** A heap secret: a slot if it fits one, else a dedicated region. Returns the secret or -status. */
export function createHeapSecret(h: u32, size: u64, fitsSlot: bool): i32 {
  if (fitsSlot) return allocSlot(h, <u32>size);
  return createRegionSecret(h, size, false, heapRegionOptions(h));
}

// ── Where a secret is ────────────────────────────────────────────────────────────────────────

/** The host id of the mapping holding the secret. */
export function secretHostId(secret: u32): i32 {
  return secretInSlot(secret) ? arenaHostId(secretOwner(secret)) : hostIdOf(secretOwner(secret));
}

/** The current protection of the secret's page(s). */
export function secretProtection(secret: u32): u8 {
  return secretInSlot(secret) ? pageProtection(secretPage(secret)) : protectionOf(secretOwner(secret));
}

/** Mapping offset and length of the pages a secret's protection applies to. */
export function secretPagesOffset(secret: u32): u64 {
  return secretInSlot(secret)
    ? pageOffset(secretOwner(secret), pageNumber(secretPage(secret)))
    : dataPagesOffsetOf(secretOwner(secret));
}
export function secretPagesLength(secret: u32): u64 {
  return secretInSlot(secret) ? pageSize : dataPagesLengthOf(secretOwner(secret));
}

/** Sets the kernel protection of the secret's pages (no bookkeeping). Returns the host error. */
function protectPages(secret: u32, protection: u8): i32 {
  return hostProtect(secretHostId(secret), <f64>secretPagesOffset(secret), <f64>secretPagesLength(secret), protection);
}

/** Records the protection the secret's pages now have (the kernel already has it). */
function recordProtection(secret: u32, protection: u8): void {
  if (secretInSlot(secret)) setPageProtection(secretPage(secret), protection);
  else setProtection(secretOwner(secret), protection);
}

/** Open scopes on the secret's pages (the page's count, or the secret's own for a region). */
function scopesOnPages(secret: u32): u32 {
  return secretInSlot(secret) ? pageOpen(secretPage(secret)) : secretOpen(secret);
}

// ── Scoped access ────────────────────────────────────────────────────────────────────────────

/** Opens the secret for a use() (READ_ONLY) or update() (READ_WRITE). */
export function openSecret(secret: u32, access: u8): i32 {
  const current = secretProtection(secret);
  const scopes = scopesOnPages(secret);
  // Keep the widest access while other scopes on these pages still run.
  const target = scopes > 0 && rank(current) > rank(access) ? current : access;
  if (target != current) {
    const error = protectPages(secret, target);
    if (error) return osFailure(PROTECTION_FAILED, OP_PROTECT, error);
    recordProtection(secret, target);
  }
  if (secretInSlot(secret)) setPageOpen(secretPage(secret), pageOpen(secretPage(secret)) + 1);
  setSecretOpen(secret, secretOpen(secret) + 1);
  const h = secretHeap(secret);
  if (h != NO_HEAP) addHeapOpenScopes(h, 1);
  return OK;
}

/** Closes one scope; the last one on the pages puts them back to NoAccess. */
export function closeSecret(secret: u32): i32 {
  const open = secretOpen(secret);
  if (open == 0) return refuse(INVALID_ARGUMENT, REASON_NOT_OPEN);
  setSecretOpen(secret, open - 1);
  const h = secretHeap(secret);
  if (h != NO_HEAP) addHeapOpenScopes(h, -1);
  if (secretInSlot(secret)) setPageOpen(secretPage(secret), pageOpen(secretPage(secret)) - 1);
  if (scopesOnPages(secret) > 0 || secretProtection(secret) == NO_ACCESS) return OK;
  const error = protectPages(secret, NO_ACCESS);
  if (error) return osFailure(PROTECTION_FAILED, OP_PROTECT, error); // recorded as it still is
  recordProtection(secret, NO_ACCESS);
  return OK;
}

// ── Copies ───────────────────────────────────────────────────────────────────────────────────

function checkSpan(secret: u32, offset: u64, length: u64): i32 {
  const size = secretSize(secret);
  if (offset > size) return refuse(OUT_OF_BOUNDS, REASON_OFFSET);
  if (length > size - offset) return refuse(OUT_OF_BOUNDS, REASON_LENGTH);
  return OK;
}

/**
 * Copies `length` staged bytes into the secret at `offset`. Inside an update() the pages are
 * writable already; otherwise they are opened for the copy alone and closed again.
 */
export function writeSecret(secret: u32, offset: u64, length: u64): i32 {
  const status = checkSpan(secret, offset, length);
  if (status != OK || length == 0) return status;
  const current = secretProtection(secret);
  const reopen = current != READ_WRITE;
  if (reopen) {
    const error = protectPages(secret, READ_WRITE);
    if (error) return osFailure(PROTECTION_FAILED, OP_PROTECT, error);
  }
  const copyError = hostCopyIn(secretHostId(secret), <f64>(secretDataOffset(secret) + offset), <f64>length);
  if (reopen) {
    const error = protectPages(secret, current);
    if (error) {
      recordProtection(secret, READ_WRITE);
      return osFailure(PROTECTION_FAILED, OP_PROTECT, error);
    }
  }
  return copyError ? osFailure(ACCESS_DENIED, OP_COPY_IN, copyError) : OK;
}

/** Copies secret bytes into the staged target; only inside a use()/update() (pages readable). */
export function readSecret(secret: u32, offset: u64, length: u64): i32 {
  if (secretOpen(secret) == 0 || !canRead(secretProtection(secret))) return refuse(ACCESS_DENIED, REASON_NOT_READABLE);
  const status = checkSpan(secret, offset, length);
  if (status != OK || length == 0) return status;
  const error = hostCopyOut(secretHostId(secret), <f64>(secretDataOffset(secret) + offset), <f64>length);
  return error ? osFailure(ACCESS_DENIED, OP_COPY_OUT, error) : OK;
}

// ── Freeing ──────────────────────────────────────────────────────────────────────────────────

/**
 * Frees a secret. A heap slot becomes pending (wiped and checked by the next flush, no host call
 * now); a region is wiped, checked and unmapped at once (CANARY_CORRUPTED after doing so).
 */
export function freeSecret(secret: u32): i32 {
  if (secretOpen(secret) > 0) return refuse(ACCESS_DENIED, REASON_SECRET_OPEN);
  const h = secretHeap(secret);
  const size = secretSize(secret);
  if (secretInSlot(secret)) {
    freeSlot(h, secret, secretOwner(secret), secretPage(secret), secretSlot(secret), size);
    return OK;
  }
  const region = secretOwner(secret);
  const mapping = mappingLengthOf(region);
  const locked = flagsOf(region) & FLAG_LOCKED ? dataPagesLengthOf(region) : 0;
  const secretBytes = flagsOf(region) & FLAG_SECRET_MEMORY ? dataPagesLengthOf(region) : 0;
  const status = freeRegion(region, U64.MAX_VALUE, true); // its range quarantined: a kept view faults
  if (status != OK && status != CANARY_CORRUPTED) return status; // still mapped and live
  if (h != NO_HEAP) {
    addHeapDedicated(h, -1);
    addHeapLive(h, -1);
    addHeapUsedBytes(h, -<i64>size);
    addHeapReservedBytes(h, -<i64>mapping);
    addHeapLockedBytes(h, -<i64>locked);
    addHeapSecretBytes(h, -<i64>secretBytes);
  }
  releaseSecret(secret);
  return status;
}

/**
 * Destroys a heap: its dedicated regions are freed, its arenas wiped, checked and unmapped, its
 * secret records released (their handles then read as freed). Refused while one of its secrets
 * is inside a use()/update(). CANARY_CORRUPTED is returned after everything is gone.
 */
export function destroyHeap(h: u32): i32 {
  if (heapOpenScopes(h) > 0) return refuse(ACCESS_DENIED, REASON_HEAP_OPEN);
  const failuresBefore = heapCanaryFailures(h);
  let status = OK;
  const count = secretSlotCount();
  for (let secret: u32 = 0; secret < count; secret++) {
    if (!secretIsLive(secret) || secretHeap(secret) != h) continue;
    if (secretInSlot(secret)) { releaseSecret(secret); continue; } // wiped with its arena below
    const freed = freeSecret(secret);
    if (freed == CANARY_CORRUPTED) recordDamage(h, NO_ARENA, 0);
    else if (freed != OK && status == OK) status = freed;
  }
  const released = releaseHeapArenas(h);
  if (status == OK) status = released;
  const damaged = heapCanaryFailures(h) != failuresBefore;
  releaseHeap(h);
  if (status == OK && damaged) return osFailure(CANARY_CORRUPTED, 0, 0);
  return status;
}

// ── Process exit ─────────────────────────────────────────────────────────────────────────────

/**
 * Wipes every secret of this core, open or not, and invalidates every secret and heap handle.
 * For the last moments of a process (exit, SIGINT, SIGTERM): mappings stay in place, NoAccess and
 * zeroed, for the kernel to reclaim; no canary is checked; the quarantined ranges are unmapped.
 * Returns the number of secrets wiped.
 */
export function wipeEverything(): u32 {
  // Smallest and most valuable first: a SIGKILL (the OOM killer, a supervisor's timeout) may end
  // the process part-way through, so the standalone secrets of one data page (keys, tokens) are
  // wiped before the heap arenas, and larger standalone secrets (the slowest to zero) last.
  let wiped = wipeStandaloneSecrets(true);
  const heaps = heapRecordCount();
  for (let h: u32 = 0; h < heaps; h++) {
    if (!heapIsLive(h)) continue;
    let arena = heapFirstArena(h);
    while (arena != NO_ARENA) {
      // Only formatted pages were ever written; virgin ones are left alone (not faulted in: an
      // arena is committed as it is formatted). Standalone regions are committed whole.
      const formatted = arenaVirgin(arena);
      if (formatted > 0) wipeDataPages(arenaHostId(arena), <f64>pageOffset(arena, 0), <f64>(<u64>formatted * pageSize));
      arena = arenaNext(arena);
    }
  }
  wiped += wipeStandaloneSecrets(false);
  const count = secretSlotCount();
  for (let secret: u32 = 0; secret < count; secret++) {
    if (!secretIsLive(secret)) continue;
    releaseSecret(secret); // in a slot: wiped with its arena above
    wiped++;
  }
  for (let h: u32 = 0; h < heaps; h++) if (heapIsLive(h)) releaseHeap(h);
  drainQuarantine(); // the held ranges hold no bytes: unmapped last
  return wiped;
}

/** Wipes and releases the live standalone secrets of at most one data page (`small`), or all the rest. */
function wipeStandaloneSecrets(small: bool): u32 {
  let wiped: u32 = 0;
  const count = secretSlotCount();
  for (let secret: u32 = 0; secret < count; secret++) {
    if (!secretIsLive(secret) || secretInSlot(secret)) continue;
    const region = secretOwner(secret);
    const length = <f64>dataPagesLengthOf(region);
    if (small && length > <f64>pageSize) continue;
    wipeDataPages(hostIdOf(region), <f64>dataPagesOffsetOf(region), length);
    releaseSecret(secret);
    wiped++;
  }
  return wiped;
}

/** Opens, zeroes and closes again the data pages [offset, offset + length) of mapping `id`. */
function wipeDataPages(id: u32, offset: f64, length: f64): void {
  hostProtect(id, offset, length, READ_WRITE);
  hostFill(id, offset, length, WIPE_BYTE);
  hostProtect(id, offset, length, NO_ACCESS);
}
