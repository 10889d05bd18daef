// Entry points for SecureBuffer and SecureHeap (re-exported by index.ts). Each checks its
// arguments (integers arrive as f64 from JS) and handles, clears the failure record, and hands
// over to secret-access.ts and heap.ts. A function that makes something returns its index
// (>= 0; the generation is read with *CreatedGeneration()) or -status.
import {
  OK,
  INVALID_ARGUMENT,
  OUT_OF_BOUNDS,
  USE_AFTER_FREE,
  REASON_SIZE_NOT_POSITIVE_INTEGER,
  REASON_SIZE_TOO_LARGE,
  REASON_OFFSET,
  REASON_LENGTH,
} from './status';
import { refuse, resetFailure } from './failure';
import { statusOfHandle } from './handle-table';
import { pageSize } from './machine';
import { MAX_MAPPING } from './layout';
import { READ_ONLY, READ_WRITE } from './protection';
import { LARGEST_CLASS_SIZE, classOf, classFits, classSize } from './heap-layout';
import { pageClass } from './heap-pages';
import { arenaRegion, arenaNext, arenaVirgin, NO_ARENA } from './heap-arenas';
import {
  checkHeapHandle,
  createdHeapGeneration,
  heapLive,
  heapUsedBytes,
  heapSlotBytes,
  heapReservedBytes,
  heapLockedBytes,
  heapArenas,
  heapDedicated,
  heapPending,
  heapOpenScopes,
  heapCanaryFailures,
  heapDamagedOffset,
  heapDamagedArena,
  heapArenaPages,
  heapMaxBytes,
  heapFlags,
  heapFirstArena,
  heapSecretBytes,
  HEAP_LOCK_BEST_EFFORT,
  HEAP_SECRET_PREFERRED,
  HEAP_SECRET_REQUIRED,
  HEAP_ISOLATED,
} from './heap-records';
import { createHeap, flushHeap, trimHeap } from './heap';
import {
  OPTION_LOCK_BEST_EFFORT,
  OPTION_SECRET_PREFERRED,
  OPTION_SECRET_REQUIRED,
  OPTION_SECRET_ANY,
  OPTION_ISOLATED,
} from './operations';
import {
  createRegionSecret,
  createHeapSecret,
  openSecret,
  closeSecret,
  writeSecret,
  readSecret,
  freeSecret,
  destroyHeap,
  wipeEverything,
  secretHostId,
  secretProtection,
  secretPagesOffset,
  secretPagesLength,
} from './secret-access';
import {
  liveSecrets,
  checkSecretHandle,
  createdGeneration,
  secretSize,
  secretDataOffset,
  secretInSlot,
  secretOpen,
  secretOwner,
  secretHeap,
  secretPage,
  secretPurgePending,
  NO_HEAP,
} from './secrets';
import {
  SECRET_FIELD_SIZE,
  SECRET_FIELD_HOST_ID,
  SECRET_FIELD_DATA_OFFSET,
  SECRET_FIELD_IN_SLOT,
  SECRET_FIELD_OPEN,
  SECRET_FIELD_PROTECTION,
  SECRET_FIELD_REGION,
  SECRET_FIELD_HEAP,
  SECRET_FIELD_PAGES_OFFSET,
  SECRET_FIELD_PAGES_LENGTH,
  SECRET_FIELD_SLOT_SIZE,
  HEAP_STAT_LIVE,
  HEAP_STAT_USED_BYTES,
  HEAP_STAT_SLOT_BYTES,
  HEAP_STAT_RESERVED_BYTES,
  HEAP_STAT_LOCKED_BYTES,
  HEAP_STAT_ARENAS,
  HEAP_STAT_DEDICATED,
  HEAP_STAT_PENDING,
  HEAP_STAT_OPEN_SCOPES,
  HEAP_STAT_CANARY_FAILURES,
  HEAP_STAT_DAMAGED_OFFSET,
  HEAP_STAT_DAMAGED_REGION,
  HEAP_STAT_ARENA_PAGES,
  HEAP_STAT_FORMATTED_PAGES,
  HEAP_STAT_MAX_BYTES,
  HEAP_STAT_LOCK_BEST_EFFORT,
  HEAP_STAT_SECRET_BYTES,
  HEAP_STAT_SECRET_POLICY,
  HEAP_STAT_ISOLATED,
  QUARANTINE_STAT_RANGES,
  QUARANTINE_STAT_BYTES,
  QUARANTINE_STAT_CAP,
  QUARANTINE_STAT_EVICTED,
} from './fields';
import {
  setQuarantineCap,
  drainQuarantine,
  quarantineCount,
  quarantineBytes,
  quarantineCap,
  quarantineEvicted,
} from './quarantine';
import {
  REASON_NOT_A_SECRET,
  REASON_NOT_A_HEAP,
  REASON_ARENA_SIZE,
  REASON_MAX_SIZE,
  REASON_ACCESS,
  REASON_PURGED,
} from './heap-status';
import { purgeAllSecrets, purgeAllRegions, purgeField, finishDeferredPurge, heapPurgePending } from './purge';

/** The allocate() options secretCreate and heapCreate take (one layout, operations.ts); others are ignored. */
const SECRET_OPTIONS: u32 = OPTION_LOCK_BEST_EFFORT | OPTION_SECRET_ANY;
/** The most pages one arena may have (4 GiB of 4 KiB pages). */
const MAX_ARENA_PAGES: f64 = <f64>(1 << 20);
/** The largest byte count that crosses from JS exactly. */
const MAX_SAFE: f64 = 9007199254740991;

/** A size in [1, MAX_MAPPING] as u64, or 0 after recording why not. */
function checkSecretSize(size: f64): u64 {
  if (!(size >= 1) || size != Math.floor(size)) {
    refuse(INVALID_ARGUMENT, REASON_SIZE_NOT_POSITIVE_INTEGER);
    return 0;
  }
  if (size > <f64>MAX_MAPPING) {
    refuse(INVALID_ARGUMENT, REASON_SIZE_TOO_LARGE);
    return 0;
  }
  return <u64>size;
}

/** OK if the handle names a live secret; USE_AFTER_FREE/DOUBLE_FREE or INVALID_ARGUMENT else. */
function useSecret(secret: u32, generation: u32, freeing: bool): i32 {
  const status = statusOfHandle(checkSecretHandle(secret, generation), freeing);
  return status == OK ? OK : refuse(status, REASON_NOT_A_SECRET);
}

/** OK if the handle names a live heap; USE_AFTER_FREE once destroyed, INVALID_ARGUMENT else. */
function useHeap(h: u32, generation: u32): i32 {
  const status = statusOfHandle(checkHeapHandle(h, generation), false); // destroyed: USE_AFTER_FREE, even for destroy
  return status == OK ? OK : refuse(status, REASON_NOT_A_HEAP);
}

/** An (offset, length) pair within a secret. */
function checkSecretSpan(offset: f64, length: f64): i32 {
  if (!(offset >= 0) || offset != Math.floor(offset))
    return refuse(offset < 0 ? OUT_OF_BOUNDS : INVALID_ARGUMENT, REASON_OFFSET);
  if (!(length >= 0) || length != Math.floor(length))
    return refuse(length < 0 ? OUT_OF_BOUNDS : INVALID_ARGUMENT, REASON_LENGTH);
  if (offset > <f64>MAX_MAPPING) return refuse(OUT_OF_BOUNDS, REASON_OFFSET);
  if (length > <f64>MAX_MAPPING) return refuse(OUT_OF_BOUNDS, REASON_LENGTH);
  return OK;
}

// ── Secrets ──────────────────────────────────────────────────────────────────────────────────

/**
 * A standalone secret of `size` bytes in a Secure region of its own: zero-filled, or holding the
 * staged bytes when `copy` is 1 (the staged buffer must be `size` bytes).
 */
export function secretCreate(size: f64, copy: i32, options: u32): i32 {
  resetFailure();
  const bytes = checkSecretSize(size);
  if (bytes == 0) return -INVALID_ARGUMENT;
  return createRegionSecret(NO_HEAP, bytes, copy != 0, options & SECRET_OPTIONS);
}

/** The generation of the secret made last (with its index, the handle). */
export function secretCreatedGeneration(): u32 {
  return createdGeneration;
}

/** OK, USE_AFTER_FREE or INVALID_ARGUMENT for a secret handle. Read-only: the failure record stays. */
export function secretCheck(secret: u32, generation: u32): i32 {
  return statusOfHandle(checkSecretHandle(secret, generation), false);
}

/** Opens a scope: access 1 (ReadOnly, for use) or 2 (ReadWrite, for update). */
export function secretOpenScope(secret: u32, generation: u32, access: i32): i32 {
  resetFailure();
  const status = useSecret(secret, generation, false);
  if (status != OK) return status;
  if (access != <i32>READ_ONLY && access != <i32>READ_WRITE) return refuse(INVALID_ARGUMENT, REASON_ACCESS);
  if (secretPurgePending(secret)) return refuse(USE_AFTER_FREE, REASON_PURGED);
  return openSecret(secret, <u8>access);
}

/** Closes a scope; the last scope of a secret purge() deferred frees it (then the handle reads freed). */
export function secretCloseScope(secret: u32, generation: u32): i32 {
  resetFailure();
  let status = useSecret(secret, generation, false);
  if (status == OK) status = closeSecret(secret);
  return status != OK ? status : finishDeferredPurge(secret);
}

/** Copies `length` staged bytes into the secret at `offset`. */
export function secretWrite(secret: u32, generation: u32, offset: f64, length: f64): i32 {
  resetFailure();
  let status = useSecret(secret, generation, false);
  if (status == OK) status = checkSecretSpan(offset, length);
  return status != OK ? status : writeSecret(secret, <u64>offset, <u64>length);
}

/** Copies secret bytes into the staged target (inside an open scope only). */
export function secretRead(secret: u32, generation: u32, offset: f64, length: f64): i32 {
  resetFailure();
  let status = useSecret(secret, generation, false);
  if (status == OK) status = checkSecretSpan(offset, length);
  return status != OK ? status : readSecret(secret, <u64>offset, <u64>length);
}

export function secretFree(secret: u32, generation: u32): i32 {
  resetFailure();
  const status = useSecret(secret, generation, true);
  return status != OK ? status : freeSecret(secret);
}

/** One field of a live secret (check the handle first); -1 for an unknown field. */
export function secretField(secret: u32, field: i32): f64 {
  switch (field) {
    case SECRET_FIELD_SIZE:
      return <f64>secretSize(secret);
    case SECRET_FIELD_HOST_ID:
      return <f64>secretHostId(secret);
    case SECRET_FIELD_DATA_OFFSET:
      return <f64>secretDataOffset(secret);
    case SECRET_FIELD_IN_SLOT:
      return secretInSlot(secret) ? 1 : 0;
    case SECRET_FIELD_OPEN:
      return <f64>secretOpen(secret);
    case SECRET_FIELD_PROTECTION:
      return <f64>secretProtection(secret);
    case SECRET_FIELD_REGION:
      return <f64>(secretInSlot(secret) ? arenaRegion(secretOwner(secret)) : secretOwner(secret));
    case SECRET_FIELD_HEAP:
      return secretHeap(secret) == NO_HEAP ? -1 : <f64>secretHeap(secret);
    case SECRET_FIELD_PAGES_OFFSET:
      return <f64>secretPagesOffset(secret);
    case SECRET_FIELD_PAGES_LENGTH:
      return <f64>secretPagesLength(secret);
    case SECRET_FIELD_SLOT_SIZE:
      return secretInSlot(secret) ? <f64>classSize(<i32>pageClass(secretPage(secret))) : <f64>secretSize(secret);
    default:
      return -1;
  }
}

/** Live secrets of this core (standalone and heap): LOCK_FAILED messages count them (src/own-usage.ts). */
export function secretLiveCount(): u32 {
  return liveSecrets();
}

// ── Heaps ────────────────────────────────────────────────────────────────────────────────────

/**
 * Makes a heap whose arenas hold `arenaBytes` (rounded up to whole pages) of slots, reserving
 * at most `maxBytes` in all (0: no limit). Returns the heap or -status.
 */
export function heapCreate(arenaBytes: f64, maxBytes: f64, options: u32): i32 {
  resetFailure();
  const page = <f64>pageSize;
  if (!(arenaBytes >= 1) || arenaBytes != Math.floor(arenaBytes) || Math.ceil(arenaBytes / page) > MAX_ARENA_PAGES) {
    return -refuse(INVALID_ARGUMENT, REASON_ARENA_SIZE);
  }
  if (!(maxBytes >= 0) || maxBytes != Math.floor(maxBytes) || maxBytes > MAX_SAFE) {
    return -refuse(INVALID_ARGUMENT, REASON_MAX_SIZE);
  }
  const flags =
    (options & OPTION_LOCK_BEST_EFFORT ? HEAP_LOCK_BEST_EFFORT : 0) |
    (options & OPTION_SECRET_PREFERRED ? HEAP_SECRET_PREFERRED : 0) |
    (options & OPTION_SECRET_REQUIRED ? HEAP_SECRET_REQUIRED : 0) |
    (options & OPTION_ISOLATED ? HEAP_ISOLATED : 0);
  return <i32>createHeap(<u32>Math.ceil(arenaBytes / page), <u64>maxBytes, flags);
}

export function heapCreatedGeneration(): u32 {
  return createdHeapGeneration;
}

/** OK, USE_AFTER_FREE (destroyed) or INVALID_ARGUMENT for a heap handle. Read-only: the failure record stays. */
export function heapCheck(h: u32, generation: u32): i32 {
  return statusOfHandle(checkHeapHandle(h, generation), false);
}

/** Allocates a zero-filled secret of `size` bytes in the heap. Returns the secret or -status. */
export function heapAlloc(h: u32, generation: u32, size: f64): i32 {
  resetFailure();
  const status = useHeap(h, generation);
  if (status != OK) return -status;
  if (heapPurgePending(h)) return -refuse(USE_AFTER_FREE, REASON_PURGED);
  const bytes = checkSecretSize(size);
  if (bytes == 0) return -INVALID_ARGUMENT;
  // Isolated: never a slot, so every secret has guard pages of its own and a stale view faults.
  const fits =
    (heapFlags(h) & HEAP_ISOLATED) == 0 && bytes <= <u64>LARGEST_CLASS_SIZE && classFits(classOf(<u32>bytes));
  return createHeapSecret(h, bytes, fits);
}

/** Wipes every freed slot now (canary damage shows in heapStat's failure count). */
export function heapFlush(h: u32, generation: u32): i32 {
  resetFailure();
  const status = useHeap(h, generation);
  return status != OK ? status : flushHeap(h);
}

/** Wipes freed slots, then releases every arena that holds no secret. */
export function heapTrim(h: u32, generation: u32): i32 {
  resetFailure();
  const status = useHeap(h, generation);
  return status != OK ? status : trimHeap(h);
}

export function heapDestroy(h: u32, generation: u32): i32 {
  resetFailure();
  const status = useHeap(h, generation);
  return status != OK ? status : destroyHeap(h);
}

/** One statistic of a live heap (check the handle first); -1 for an unknown one. */
export function heapStat(h: u32, field: i32): f64 {
  switch (field) {
    case HEAP_STAT_LIVE:
      return <f64>heapLive(h);
    case HEAP_STAT_USED_BYTES:
      return <f64>heapUsedBytes(h);
    case HEAP_STAT_SLOT_BYTES:
      return <f64>heapSlotBytes(h);
    case HEAP_STAT_RESERVED_BYTES:
      return <f64>heapReservedBytes(h);
    case HEAP_STAT_LOCKED_BYTES:
      return <f64>heapLockedBytes(h);
    case HEAP_STAT_ARENAS:
      return <f64>heapArenas(h);
    case HEAP_STAT_DEDICATED:
      return <f64>heapDedicated(h);
    case HEAP_STAT_PENDING:
      return <f64>heapPending(h);
    case HEAP_STAT_OPEN_SCOPES:
      return <f64>heapOpenScopes(h);
    case HEAP_STAT_CANARY_FAILURES:
      return <f64>heapCanaryFailures(h);
    case HEAP_STAT_DAMAGED_OFFSET:
      return <f64>heapDamagedOffset(h);
    case HEAP_STAT_DAMAGED_REGION: {
      const arena = heapDamagedArena(h);
      return arena == NO_ARENA || heapCanaryFailures(h) == 0 ? -1 : <f64>arenaRegion(arena);
    }
    case HEAP_STAT_ARENA_PAGES:
      return <f64>heapArenaPages(h);
    case HEAP_STAT_FORMATTED_PAGES: {
      let pages: u32 = 0;
      let arena = heapFirstArena(h);
      while (arena != NO_ARENA) {
        pages += arenaVirgin(arena);
        arena = arenaNext(arena);
      }
      return <f64>pages;
    }
    case HEAP_STAT_MAX_BYTES:
      return <f64>heapMaxBytes(h);
    case HEAP_STAT_LOCK_BEST_EFFORT:
      return heapFlags(h) & HEAP_LOCK_BEST_EFFORT ? 1 : 0;
    case HEAP_STAT_SECRET_BYTES:
      return <f64>heapSecretBytes(h);
    case HEAP_STAT_SECRET_POLICY: // as the option bit heapCreate was given
      return heapFlags(h) & HEAP_SECRET_REQUIRED
        ? OPTION_SECRET_REQUIRED
        : heapFlags(h) & HEAP_SECRET_PREFERRED
          ? OPTION_SECRET_PREFERRED
          : 0;
    case HEAP_STAT_ISOLATED:
      return heapFlags(h) & HEAP_ISOLATED ? 1 : 0;
    default:
      return -1;
  }
}

/** The region slot of the heap's k-th arena, or -1 past the last (for inspect). */
export function heapArenaRegion(h: u32, k: u32): i32 {
  let arena = heapFirstArena(h);
  while (arena != NO_ARENA && k > 0) {
    arena = arenaNext(arena);
    k--;
  }
  return arena == NO_ARENA ? -1 : <i32>arenaRegion(arena);
}

/** Wipes every secret of this core and invalidates all handles (process exit). */
export function wipeAllSecrets(): u32 {
  resetFailure();
  return wipeEverything();
}

/**
 * Purge (memguard's panic button): wipes, checks and unmaps every secret and heap of this core
 * now; one inside a use()/update() is freed when that returns (purge.ts). Returns OK, or the
 * status of the last failed step (the purge went on past it); the counts come from purgeStat().
 */
export function purgeSecrets(): i32 {
  resetFailure();
  return purgeAllSecrets();
}

/** Purge for a PlatformMemory's core: frees every live region. */
export function purgeRegions(): i32 {
  resetFailure();
  return purgeAllRegions();
}

/** One field of the last purge's report (PURGE_STAT_*); -1 for an unknown field. */
export function purgeStat(field: i32): f64 {
  return purgeField(field);
}

// ── Quarantine of freed secrets' address ranges (quarantine.ts) ───────────────────────────────

/**
 * Sets the cap on the address space held by freed secrets' ranges (0: unmap at once). Ranges
 * past a lower cap are unmapped now. Returns OK or INVALID_ARGUMENT.
 */
export function quarantineSetCap(bytes: f64): i32 {
  resetFailure();
  if (!(bytes >= 0) || bytes != Math.floor(bytes) || bytes > MAX_SAFE) return refuse(INVALID_ARGUMENT, REASON_MAX_SIZE);
  setQuarantineCap(<u64>bytes);
  return OK;
}

/** One figure of the quarantine (QUARANTINE_STAT_*); -1 for an unknown one. */
export function quarantineStat(field: i32): f64 {
  switch (field) {
    case QUARANTINE_STAT_RANGES:
      return <f64>quarantineCount();
    case QUARANTINE_STAT_BYTES:
      return <f64>quarantineBytes();
    case QUARANTINE_STAT_CAP:
      return <f64>quarantineCap();
    case QUARANTINE_STAT_EVICTED:
      return <f64>quarantineEvicted();
    default:
      return -1;
  }
}

/** Unmaps every held range now. Returns how many it unmapped. */
export function quarantineDrain(): u32 {
  resetFailure();
  return drainQuarantine();
}
