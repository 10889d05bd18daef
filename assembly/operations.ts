// The region operations: each decides which host calls to make and in what order, and undoes
// the earlier steps when a later one fails. Arguments arrive checked (see index.ts).
import {
  OK,
  INVALID_ARGUMENT,
  OUT_OF_BOUNDS,
  ACCESS_DENIED,
  ALLOCATION_FAILED,
  PROTECTION_FAILED,
  LOCK_FAILED,
  UNLOCK_FAILED,
  NOT_SUPPORTED,
  CANARY_CORRUPTED,
  FREE_FAILED,
  REASON_NOT_A_REGION,
  REASON_SIZE_TOO_LARGE,
  REASON_OFFSET,
  REASON_LENGTH,
  REASON_SECRET_MEMORY_LOCKED,
  REASON_SECRET_MEMORY_EXECUTE,
  REASON_MEMORY_SHORT,
} from './status';
import { refuse, osFailure } from './failure';
import {
  hostMap,
  hostUnmap,
  hostProtect,
  hostLock,
  hostUnlock,
  hostAdvise,
  hostFill,
  hostCopyIn,
  hostCopyOut,
  hostMapSecret,
  hostMemoryRoom,
  OP_MAP,
  OP_UNMAP,
  OP_PROTECT,
  OP_LOCK,
  OP_UNLOCK,
  OP_ADVISE,
  OP_FILL,
  OP_COPY_IN,
  OP_COPY_OUT,
  OP_MAP_SECRET,
  MAP_HUGETLB,
  ADVICE_DONTDUMP,
  ADVICE_DONTFORK,
  ADVICE_HUGEPAGE,
} from './host';
import {
  planLayout,
  planMappingLength,
  planDataPagesOffset,
  planDataPagesLength,
  planDataOffset,
  planBaseAlignment,
} from './layout';
import {
  claimSlot,
  releaseSlot,
  checkHandle,
  generationOf,
  hostIdOf,
  flagsOf,
  setFlags,
  protectionOf,
  setProtection,
  sizeOf,
  dataOffsetOf,
  dataPagesOffsetOf,
  dataPagesLengthOf,
  mappingLengthOf,
  granuleOf,
  typeOf,
  writtenLowOf,
  writtenHighOf,
  markWritten,
  FLAG_LOCKED,
  FLAG_GUARDED,
  FLAG_CANARY,
  FLAG_DONTDUMP,
  FLAG_DONTFORK,
  FLAG_LOCK_WANTED,
  FLAG_HUGEPAGE_ADVISED,
  FLAG_SECRET_MEMORY,
  FLAG_SECRET_WANTED,
  PAGE_NORMAL,
  PAGE_TRANSPARENT_HUGE,
  PAGE_EXPLICIT_HUGE,
} from './regions';
import { writeCanary, checkCanary, canaryHostError } from './canary';
import { retireMapping } from './quarantine';
import { statusOfHandle } from './handle-table';
import { WIPE_BYTE } from './wipe-policy';
import {
  pageSize,
  hugePageSize,
  has,
  CAP_LOCK,
  CAP_DONTDUMP,
  CAP_DONTFORK,
  CAP_EXPLICIT_HUGE,
  CAP_TRANSPARENT_HUGE,
  CAP_SECRET_MEMORY,
} from './machine';
import {
  NO_ACCESS,
  READ_ONLY,
  READ_WRITE,
  canRead,
  canWrite,
  canExecute,
  TYPE_SECURE,
  TYPE_LARGE_PAGE,
} from './protection';

/** allocate() options. */
export const OPTION_LOCK_BEST_EFFORT: u32 = 1 << 0; // a failed lock leaves the region unlocked
export const OPTION_CUSTOM_GUARDS: u32 = 1 << 1; // the guard counts given replace the type's
export const OPTION_SECRET_PREFERRED: u32 = 1 << 2; // Secure: data pages in secret memory where it can be had
export const OPTION_SECRET_REQUIRED: u32 = 1 << 3; // Secure: data pages in secret memory, or fail
export const OPTION_SECRET_ANY: u32 = OPTION_SECRET_PREFERRED | OPTION_SECRET_REQUIRED;
export const OPTION_COMMIT_AS_FORMATTED: u32 = 1 << 4; // a heap arena: its pages are committed as the heap formats them
export const OPTION_ISOLATED: u32 = 1 << 5; // heapCreate: every secret in a guarded region of its own

// Running totals over live regions, for stats and leak checks.
export let mappedBytes: u64 = 0;
export let lockedBytes: u64 = 0;
/** The generation of the region allocate() returned last (a handle is slot + generation). */
export let lastGeneration: u32 = 0;
/** finishRegion failed at the secret-memory step (allocateRegion then falls back, if allowed). */
let secretMapFailed = false;

/**
 * Pages to commit or lock from this many bytes up are first checked against what the process can
 * still commit (one host query: a few file reads on Linux). Smaller ones skip it: if memory is so
 * short that they do not fit, the commit itself meets it, during the allocation, not later.
 */
export const ROOM_CHECK_BYTES: u64 = 1 << 20;

/**
 * OK, or `status` with REASON_MEMORY_SHORT when `bytes` are more than the host says this process
 * can still commit. Committing them anyway would not fail: the kernel's OOM killer would end the
 * process (measured, docs/sizes.md), so this is the last point at which to say no.
 */
function checkRoom(bytes: u64, status: i32): i32 {
  if (bytes < ROOM_CHECK_BYTES) return OK;
  const room = hostMemoryRoom();
  if (room < 0 || <f64>bytes <= room) return OK; // negative: the host cannot tell
  return refuse(status, REASON_MEMORY_SHORT);
}

/**
 * Whether writing the canary already touched every data page: it fills the slack in front of the
 * data (first page) and behind it (last page), and nothing in between.
 */
function canaryTouchesEveryPage(pagesLength: u64, granule: u64, frontSlack: u64, backSlack: u64): bool {
  const pages = pagesLength / granule;
  if (pages == 1) return frontSlack > 0 || backSlack > 0;
  return pages == 2 && frontSlack > 0 && backSlack > 0;
}

/** Turns a handle into OK, or the status that explains why it cannot be used. */
export function useHandle(slot: u32, generation: u32, freeing: bool): i32 {
  const status = statusOfHandle(checkHandle(slot, generation), freeing);
  return status == OK ? OK : refuse(status, REASON_NOT_A_REGION);
}

/**
 * Maps a region; returns its slot, or -status.
 *
 * Secret memory (OPTION_SECRET_*, Secure only): the data pages are replaced by pages the kernel
 * takes out of its direct map and locks itself (memfd_secret); the guard pages stay ordinary
 * NoAccess pages, so they cost no locked memory. Where it cannot be had — the host lacks it, or
 * the map fails (the memlock limit, most often) — `preferred` falls back to ordinary locked
 * pages (the region records that it was asked for) and `required` fails.
 */
export function allocateRegion(
  size: u64,
  align: u64,
  protection: u8,
  type: u8,
  guardsBefore: u32,
  guardsAfter: u32,
  options: u32,
): i32 {
  const secure = type == TYPE_SECURE;
  if (secure && (options & OPTION_CUSTOM_GUARDS) == 0) {
    guardsBefore = 1;
    guardsAfter = 1;
  }
  const guarded = guardsBefore + guardsAfter > 0;
  const secretWanted = secure && (options & OPTION_SECRET_ANY) != 0;
  const secretRequired = secretWanted && (options & OPTION_SECRET_REQUIRED) != 0;
  // Secret memory is never executable (Linux maps it from a noexec file system).
  if (secretRequired && canExecute(protection)) return -refuse(INVALID_ARGUMENT, REASON_SECRET_MEMORY_EXECUTE);
  let secret = secretWanted && has(CAP_SECRET_MEMORY) && !canExecute(protection);
  if (secretRequired && !secret) return -osFailure(NOT_SUPPORTED, OP_MAP_SECRET, 0);

  // LargePage: explicit huge pages if reserved, else transparent ones, else normal pages.
  let pageKind = PAGE_NORMAL;
  if (type == TYPE_LARGE_PAGE) {
    if (has(CAP_EXPLICIT_HUGE)) pageKind = PAGE_EXPLICIT_HUGE;
    else if (has(CAP_TRANSPARENT_HUGE)) pageKind = PAGE_TRANSPARENT_HUGE;
  }
  while (true) {
    const granule = pageKind == PAGE_NORMAL ? pageSize : hugePageSize;
    if (!planLayout(size, align, granule, guardsBefore, guardsAfter, guarded)) {
      return -refuse(INVALID_ARGUMENT, REASON_SIZE_TOO_LARGE);
    }
    // Every data page of a Secure region is committed below: first, is there room for them?
    if (secure) {
      const room = checkRoom(planDataPagesLength, ALLOCATION_FAILED);
      if (room != OK) return -room;
    }
    // Guarded: map all NoAccess, then open the data pages (2 calls instead of 1 + one per guard).
    const initial = guarded ? NO_ACCESS : protection;
    const flags = pageKind == PAGE_EXPLICIT_HUGE ? MAP_HUGETLB : 0;
    const id = hostMap(<f64>planMappingLength, <f64>planBaseAlignment, initial, flags);
    if (id < 0) {
      // No huge page to be had after all (the pool is shared; Linux says ENOMEM, Windows 1450):
      // fall back whatever the error, as documented — the smaller pages are tried next.
      if (pageKind == PAGE_EXPLICIT_HUGE) {
        pageKind = has(CAP_TRANSPARENT_HUGE) ? PAGE_TRANSPARENT_HUGE : PAGE_NORMAL;
        continue;
      }
      return -osFailure(ALLOCATION_FAILED, OP_MAP, -id);
    }
    secretMapFailed = false;
    const secretFlags = (secretWanted ? FLAG_SECRET_WANTED : 0) | (secret ? FLAG_SECRET_MEMORY : 0);
    const slot = finishRegion(id, size, align, protection, type, pageKind, granule, guarded, options, secretFlags);
    if (slot < 0) hostUnmap(id); // undo: unmapping also drops any lock taken
    if (slot < 0 && secretMapFailed && !secretRequired) {
      secret = false; // preferred, not had: map again with ordinary pages, locked as usual
      continue;
    }
    return slot;
  }
}

/** The steps after the mapping exists. Returns the slot, or -status (caller unmaps). */
function finishRegion(
  id: i32,
  size: u64,
  align: u64,
  protection: u8,
  type: u8,
  pageKind: u8,
  granule: u64,
  guarded: bool,
  options: u32,
  secretFlags: u32,
): i32 {
  const mappingLength = planMappingLength;
  const pagesOffset = planDataPagesOffset;
  const pagesLength = planDataPagesLength;
  const dataOffset = planDataOffset;
  let flags: u32 = secretFlags & FLAG_SECRET_WANTED;
  let error: i32 = 0;
  assert(guarded || (secretFlags & FLAG_SECRET_MEMORY) == 0); // Secure regions always have guards

  // First, the whole mapping, guards included (one range, one answer in smaps): from here on the
  // kernel shows it as memshield's (VmFlags dd) to the thread registry, which releases a
  // terminated worker's mapping only then; secret memory mapped over the data pages below is
  // dump-excluded by the kernel itself.
  if (type == TYPE_SECURE && has(CAP_DONTDUMP)) {
    error = hostAdvise(id, 0, <f64>mappingLength, ADVICE_DONTDUMP);
    if (error) return -osFailure(ALLOCATION_FAILED, OP_ADVISE, error);
    flags |= FLAG_DONTDUMP;
  }
  if (guarded) {
    flags |= FLAG_GUARDED;
    if (secretFlags & FLAG_SECRET_MEMORY) {
      // The data pages become secret memory, ReadWrite: this call replaces the protect below.
      error = hostMapSecret(id, <f64>pagesOffset, <f64>pagesLength, READ_WRITE);
      if (error) {
        secretMapFailed = true;
        return -osFailure(ALLOCATION_FAILED, OP_MAP_SECRET, error);
      }
      flags |= FLAG_SECRET_MEMORY;
    } else {
      error = hostProtect(id, <f64>pagesOffset, <f64>pagesLength, READ_WRITE);
      if (error) return -osFailure(ALLOCATION_FAILED, OP_PROTECT, error);
    }
    // Canary in the slack on both sides of the data, so a small overflow is seen at free.
    const backOffset = dataOffset + size;
    const backLength = pagesOffset + pagesLength - backOffset;
    error = writeCanary(id, pagesOffset, dataOffset - pagesOffset);
    if (!error) error = writeCanary(id, backOffset, backLength);
    if (error) return -osFailure(ALLOCATION_FAILED, OP_COPY_IN, error);
    flags |= FLAG_CANARY;
  }
  if (pageKind == PAGE_TRANSPARENT_HUGE) {
    error = hostAdvise(id, <f64>pagesOffset, <f64>pagesLength, ADVICE_HUGEPAGE);
    if (error) return -osFailure(ALLOCATION_FAILED, OP_ADVISE, error);
    flags |= FLAG_HUGEPAGE_ADVISED;
  }
  if (type == TYPE_SECURE) {
    if (has(CAP_DONTFORK)) {
      error = hostAdvise(id, 0, <f64>mappingLength, ADVICE_DONTFORK);
      if (error) return -osFailure(ALLOCATION_FAILED, OP_ADVISE, error);
      flags |= FLAG_DONTFORK;
    }
    // Lock while the pages are still accessible: mlock on NoAccess pages fails (ENOMEM).
    flags |= FLAG_LOCK_WANTED;
    const bestEffort = (options & OPTION_LOCK_BEST_EFFORT) != 0;
    if (flags & FLAG_SECRET_MEMORY) {
      flags |= FLAG_LOCKED; // the kernel locked secret memory when it was mapped (and refuses mlock on it)
    } else if (!has(CAP_LOCK)) {
      if (!bestEffort) return -osFailure(NOT_SUPPORTED, OP_LOCK, 0);
    } else {
      error = hostLock(id, <f64>pagesOffset, <f64>pagesLength);
      if (!error) {
        flags |= FLAG_LOCKED;
      } else if (bestEffort) {
        hostUnlock(id, <f64>pagesOffset, <f64>pagesLength); // a failed mlock may lock part of the range
      } else {
        return -osFailure(LOCK_FAILED, OP_LOCK, error);
      }
    }
  }
  // Commit every data page now, while they are writable, so that nothing later (a write, the
  // wipe at exit) faults a page in when memory may be gone. mlock did it for ordinary locked pages;
  // secret memory (mlock and MADV_POPULATE_WRITE both refuse it) and unlocked pages are touched
  // by zeroing the data bytes, unless the canary writes touched them all already. A heap arena
  // (checked whole above) is committed a batch at a time as the heap formats its pages, so a large
  // arena costs only what its secrets use.
  if (
    type == TYPE_SECURE &&
    guarded &&
    (options & OPTION_COMMIT_AS_FORMATTED) == 0 &&
    (!(flags & FLAG_LOCKED) || flags & FLAG_SECRET_MEMORY) &&
    !canaryTouchesEveryPage(
      pagesLength,
      granule,
      dataOffset - pagesOffset,
      pagesOffset + pagesLength - dataOffset - size,
    )
  ) {
    error = hostFill(id, <f64>dataOffset, <f64>size, WIPE_BYTE);
    if (error) return -osFailure(ALLOCATION_FAILED, OP_FILL, error);
  }
  const opened = guarded ? READ_WRITE : protection;
  if (protection != opened) {
    error = hostProtect(id, <f64>pagesOffset, <f64>pagesLength, protection);
    if (error) return -osFailure(ALLOCATION_FAILED, OP_PROTECT, error);
  }
  const slot = claimSlot(
    id,
    flags,
    type,
    protection,
    pageKind,
    size,
    align,
    mappingLength,
    pagesOffset,
    pagesLength,
    dataOffset,
    granule,
  );
  lastGeneration = generationOf(slot);
  mappedBytes += mappingLength;
  if (flags & FLAG_LOCKED) lockedBytes += pagesLength;
  return <i32>slot;
}

// The wipe plan: whole pages that ever held data or canary bytes, merged into runs.
//
//  data pages  ┌──────┬──────┬──────┬──────┬──────┬──────┐
//              │canary│      │written ▸ ▸ ▸│      │canary│   (▸ writtenLow … writtenHigh)
//              └──────┴──────┴──────┴──────┴──────┴──────┘
//  fills:       [ run ]       [    run    ]        [ run ]    never-written pages: no fill
let runLow: u64 = 0;
let runHigh: u64 = 0; // runHigh == runLow: no run pending

/** Adds [low, high) to the pending run, or fills the pending run first if they do not touch. */
function addRun(id: i32, low: u64, high: u64): i32 {
  if (high <= low) return 0;
  if (runHigh > runLow && low <= runHigh) {
    if (high > runHigh) runHigh = high;
    return 0;
  }
  const error = flushRun(id);
  runLow = low;
  runHigh = high;
  return error;
}

/** Fills the pending run with zeros. */
function flushRun(id: i32): i32 {
  if (runHigh <= runLow) return 0;
  const error = hostFill(id, <f64>runLow, <f64>(runHigh - runLow), WIPE_BYTE);
  runLow = runHigh = 0;
  return error;
}

/**
 * Whether a region has anything to wipe: a Secure region always (committed whole when it was
 * made); else canary bytes, or data written since allocation (or, for a heap arena,
 * `touchedLength` bytes of formatted pages from the first).
 */
function hasWipeWork(slot: u32, touchedLength: u64): bool {
  if (touchedLength == U64.MAX_VALUE && typeOf(slot) == TYPE_SECURE) return true;
  if (flagsOf(slot) & FLAG_CANARY) {
    const pagesEnd = dataPagesOffsetOf(slot) + dataPagesLengthOf(slot);
    if (dataOffsetOf(slot) > dataPagesOffsetOf(slot) || dataOffsetOf(slot) + sizeOf(slot) < pagesEnd) return true;
  }
  return touchedLength != U64.MAX_VALUE ? touchedLength > 0 : writtenHighOf(slot) > 0;
}

/**
 * Zeroes every data page that ever held data or canary bytes, page by page as planned above; pages
 * never written are still the kernel's zeros and stay untouched (writing them would commit them).
 * A Secure region's pages are all wiped: they were committed when it was made (so this faults
 * nothing in), and native code may have written them through an address from inspect(). The
 * pages must be writable. Returns 0 or the host error of the first failed fill.
 */
function wipeWrittenPages(slot: u32, touchedLength: u64): i32 {
  const id = hostIdOf(slot);
  const granule = granuleOf(slot);
  const pagesOffset = dataPagesOffsetOf(slot);
  const pagesEnd = pagesOffset + dataPagesLengthOf(slot);
  let low = writtenLowOf(slot);
  let high = writtenHighOf(slot);
  if (touchedLength != U64.MAX_VALUE) {
    low = pagesOffset;
    high = pagesOffset + (touchedLength < pagesEnd - pagesOffset ? touchedLength : pagesEnd - pagesOffset);
  } else if (typeOf(slot) == TYPE_SECURE) {
    low = pagesOffset;
    high = pagesEnd;
  }
  runLow = runHigh = 0;
  let error: i32 = 0;
  if (flagsOf(slot) & FLAG_CANARY && dataOffsetOf(slot) > pagesOffset)
    error = addRun(id, pagesOffset, pagesOffset + granule);
  if (!error && high > low) {
    const first = pagesOffset + ((low - pagesOffset) / granule) * granule;
    const last = pagesOffset + ((high - pagesOffset + granule - 1) / granule) * granule;
    error = addRun(id, first, last < pagesEnd ? last : pagesEnd);
  }
  if (!error && flagsOf(slot) & FLAG_CANARY && dataOffsetOf(slot) + sizeOf(slot) < pagesEnd)
    error = addRun(id, pagesEnd - granule, pagesEnd);
  const flushed = flushRun(id);
  return error ? error : flushed;
}

/**
 * Wipes, checks the canary and unmaps a live region. A Secure region is wiped whole (its pages
 * are committed). `touchedLength`: for a heap arena, the data pages from the first that were ever
 * formatted (the heap writes them, not write()). Regular and LargePage regions wipe what their
 * record says was written (and the canary's pages). A page never written is not wiped: it is still
 * the kernel's zero page, and touching it would only fault it in to write zeros over zeros.
 * `quarantine`: a secret's region, whose address a view may still hold: its range stays reserved.
 */
export function freeRegion(slot: u32, touchedLength: u64 = U64.MAX_VALUE, quarantine: bool = false): i32 {
  const id = hostIdOf(slot);
  const flags = flagsOf(slot);
  const pagesOffset = dataPagesOffsetOf(slot);
  const pagesLength = dataPagesLengthOf(slot);
  const work = hasWipeWork(slot, touchedLength);
  // 1. Open the data pages for writing if they are not (wiping needs it) and there is a wipe.
  if (work && !canWrite(protectionOf(slot))) {
    const error = hostProtect(id, <f64>pagesOffset, <f64>pagesLength, READ_WRITE);
    if (error) return osFailure(PROTECTION_FAILED, OP_PROTECT, error);
    setProtection(slot, READ_WRITE);
  }
  // 2. Check the canary before the wipe erases the evidence.
  let canaryIntact: bool = true;
  if (flags & FLAG_CANARY) {
    const dataOffset = dataOffsetOf(slot);
    const backOffset = dataOffset + sizeOf(slot);
    canaryIntact =
      checkCanary(id, pagesOffset, dataOffset - pagesOffset) &&
      checkCanary(id, backOffset, pagesOffset + pagesLength - backOffset);
  }
  const canaryError = canaryHostError;
  // 3. Wipe every page that ever held data or canary bytes.
  let error = work ? wipeWrittenPages(slot, touchedLength) : 0;
  if (error) return osFailure(FREE_FAILED, OP_FILL, error);
  // The wipe erased the canary too: a retry after a failed unmap must not report it damaged.
  setFlags(slot, flags & ~FLAG_CANARY);
  // 4. Unmap — or, for a secret (`quarantine`), decommit and hold the range reserved
  //    (quarantine.ts) so that a stale view faults rather than reads whatever lands there next.
  //    Either drops the lock and the advice.
  error = quarantine ? retireMapping(id, mappingLengthOf(slot)) : hostUnmap(id);
  if (error) return osFailure(FREE_FAILED, OP_UNMAP, error);
  mappedBytes -= mappingLengthOf(slot);
  if (flags & FLAG_LOCKED) lockedBytes -= pagesLength;
  releaseSlot(slot);
  // 5. Only now report damage: the memory is already wiped and gone.
  if (!canaryIntact) return osFailure(CANARY_CORRUPTED, canaryError ? OP_COPY_OUT : 0, canaryError);
  return OK;
}

/** Changes the data pages' protection; a change to the current level makes no host call. */
export function protectRegion(slot: u32, protection: u8): i32 {
  if (protectionOf(slot) == protection) return OK;
  const error = hostProtect(hostIdOf(slot), <f64>dataPagesOffsetOf(slot), <f64>dataPagesLengthOf(slot), protection);
  if (error) return osFailure(PROTECTION_FAILED, OP_PROTECT, error);
  setProtection(slot, protection);
  return OK;
}

/** Locks the data pages in RAM; a second lock makes no host call. */
export function lockRegion(slot: u32): i32 {
  const flags = flagsOf(slot);
  if (flags & FLAG_LOCKED) return OK;
  if (!has(CAP_LOCK)) return osFailure(NOT_SUPPORTED, OP_LOCK, 0);
  // mlock commits every page it locks: first, is there room for them?
  const room = checkRoom(dataPagesLengthOf(slot), LOCK_FAILED);
  if (room != OK) return room;
  const id = hostIdOf(slot);
  const offset = <f64>dataPagesOffsetOf(slot);
  const length = <f64>dataPagesLengthOf(slot);
  const protection = protectionOf(slot);
  // Pages that cannot be read cannot be faulted in to lock: open them read-only meanwhile.
  const reopen = !canRead(protection);
  let error: i32 = 0;
  if (reopen) {
    error = hostProtect(id, offset, length, READ_ONLY);
    if (error) return osFailure(PROTECTION_FAILED, OP_PROTECT, error);
  }
  const lockError = hostLock(id, offset, length);
  if (lockError) hostUnlock(id, offset, length); // a failed mlock may lock part of the range
  if (reopen) {
    error = hostProtect(id, offset, length, protection);
    if (error) {
      setProtection(slot, READ_ONLY); // the kernel's state, recorded as it is
      if (!lockError) {
        setFlags(slot, flags | FLAG_LOCKED);
        lockedBytes += <u64>length;
      }
      return osFailure(PROTECTION_FAILED, OP_PROTECT, error);
    }
  }
  if (lockError) return osFailure(LOCK_FAILED, OP_LOCK, lockError);
  setFlags(slot, flags | FLAG_LOCKED);
  lockedBytes += <u64>length;
  return OK;
}

/** Unlocks the data pages; unlocking an unlocked region makes no host call. */
export function unlockRegion(slot: u32): i32 {
  const flags = flagsOf(slot);
  // Secret memory stays locked until it is unmapped: the kernel ignores munlock on it.
  if (flags & FLAG_SECRET_MEMORY) return refuse(NOT_SUPPORTED, REASON_SECRET_MEMORY_LOCKED);
  if (!(flags & FLAG_LOCKED)) return OK;
  const length = dataPagesLengthOf(slot);
  const error = hostUnlock(hostIdOf(slot), <f64>dataPagesOffsetOf(slot), <f64>length);
  if (error) return osFailure(UNLOCK_FAILED, OP_UNLOCK, error);
  setFlags(slot, flags & ~FLAG_LOCKED);
  lockedBytes -= length;
  return OK;
}

/**
 * Zeroes the data bytes: all of a Secure region's (committed), the ever-written ones of others
 * (the rest are still the kernel's zeros: writing them would only commit them); opens the pages
 * for writing meanwhile if they are closed.
 */
export function clearRegion(slot: u32): i32 {
  const id = hostIdOf(slot);
  const protection = protectionOf(slot);
  const pagesOffset = <f64>dataPagesOffsetOf(slot);
  const pagesLength = <f64>dataPagesLengthOf(slot);
  const dataOffset = dataOffsetOf(slot);
  const dataEnd = dataOffset + sizeOf(slot);
  const secure = typeOf(slot) == TYPE_SECURE;
  const low = secure || writtenLowOf(slot) < dataOffset ? dataOffset : writtenLowOf(slot);
  const high = secure || writtenHighOf(slot) > dataEnd ? dataEnd : writtenHighOf(slot);
  if (high <= low) return OK; // nothing was ever written: nothing to clear
  const reopen = !canWrite(protection);
  let error: i32 = 0;
  if (reopen) {
    error = hostProtect(id, pagesOffset, pagesLength, READ_WRITE);
    if (error) return osFailure(PROTECTION_FAILED, OP_PROTECT, error);
  }
  const fillError = hostFill(id, <f64>low, <f64>(high - low), WIPE_BYTE);
  if (reopen) {
    error = hostProtect(id, pagesOffset, pagesLength, protection);
    if (error) {
      setProtection(slot, READ_WRITE);
      return osFailure(PROTECTION_FAILED, OP_PROTECT, error);
    }
  }
  if (fillError) return osFailure(ACCESS_DENIED, OP_FILL, fillError);
  return OK;
}

/** Checks a byte range of the data against the region's size. */
function checkRange(slot: u32, offset: u64, length: u64): i32 {
  const size = sizeOf(slot);
  if (offset > size) return refuse(OUT_OF_BOUNDS, REASON_OFFSET);
  if (length > size - offset) return refuse(OUT_OF_BOUNDS, REASON_LENGTH);
  return OK;
}

/** Copies the caller's staged bytes into the data at `offset`. */
export function writeRegion(slot: u32, offset: u64, length: u64): i32 {
  if (!canWrite(protectionOf(slot))) return refuse(ACCESS_DENIED, 0);
  const status = checkRange(slot, offset, length);
  if (status != OK || length == 0) return status;
  markWritten(slot, dataOffsetOf(slot) + offset, length); // before: a copy that fails half way still wrote
  const error = hostCopyIn(hostIdOf(slot), <f64>(dataOffsetOf(slot) + offset), <f64>length);
  if (error) return osFailure(ACCESS_DENIED, OP_COPY_IN, error);
  return OK;
}

/** Copies data bytes at `offset` into the caller's staged target. */
export function readRegion(slot: u32, offset: u64, length: u64): i32 {
  if (!canRead(protectionOf(slot))) return refuse(ACCESS_DENIED, 0);
  const status = checkRange(slot, offset, length);
  if (status != OK || length == 0) return status;
  const error = hostCopyOut(hostIdOf(slot), <f64>(dataOffsetOf(slot) + offset), <f64>length);
  if (error) return osFailure(ACCESS_DENIED, OP_COPY_OUT, error);
  return OK;
}
