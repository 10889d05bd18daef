// The secure heap: many small secrets in a few guarded, locked arenas.
//
//  one arena = one Secure region (operations.ts), sub-allocated page by page:
//  ┌───────┬─────────┬─────────┬─────────┬─────────┬─ … ─┬─────────┬───────┐
//  │ guard │ page 0  │ page 1  │ page 2  │ page 3  │     │ page P-1│ guard │
//  │ ---   │ class 1 │ class 1 │ class 7 │ virgin  │     │ virgin  │ ---   │
//  │       │ (32 B)  │ (32 B)  │ (128 B) │ (zero)  │     │         │       │
//  └───────┴─────────┴─────────┴─────────┴─────────┴─ … ─┴─────────┴───────┘
//           ◂──── locked, MADV_DONTDUMP, MADV_DONTFORK, NoAccess at rest ────▸
//  Each page holds slots of one size class (heap-layout.ts); a page is opened alone, and only
//  while a use()/update() of one of its secrets runs (per-page open counts, secret-access.ts).
//
// Where a slot comes from, cheapest first:
//  1. a page of the class with a free slot (no host call), taken round the pages and round each
//     page, so that a freed slot is reused as late as possible (FIFO: heap-page-lists.ts);
//  2. if the class has FLUSH_BEFORE_GROWING_AT_PAGES pages (wipe-policy.ts) and secrets were
//     freed but not yet wiped: wipe them all (one span open/close per arena), which frees slots
//     without taking more memory;
//  3. virgin pages, formatted for the class in batches (1, 1, 2, 4, 8, 8 … pages per open/close);
//  4. the wipe of step 2, for a younger class;
//  5. an empty page of another class, reformatted;
//  6. a new arena (mmap, mlock, madvise), unless maxSize or the memlock limit forbids it.
// Secrets larger than the largest class get a Secure region of their own, owned by the heap.
//
// When a freed secret is wiped (the wipe policy: wipe-policy.ts here, src/wipe-policy.ts): freeing
// only marks its slot pending (no host call). Pending slots are wiped, and their canaries checked,
// by flushHeap — which the public layer runs at the end of the current tick, and which alloc
// (step 2), trim and destroy run first. So a freed
// secret's bytes stay (NoAccess, locked, not dumped) at most until the end of the current tick.
import { OK, ALLOCATION_FAILED, CANARY_CORRUPTED } from './status';
import { refuse, osFailure } from './failure';
import { hostFill } from './host';
import { pageSize } from './machine';
import { NO_ACCESS, READ_WRITE, TYPE_SECURE } from './protection';
import {
  allocateRegion,
  freeRegion,
  OPTION_LOCK_BEST_EFFORT,
  OPTION_SECRET_PREFERRED,
  OPTION_SECRET_REQUIRED,
  OPTION_COMMIT_AS_FORMATTED,
} from './operations';
import {
  hostIdOf,
  dataPagesOffsetOf,
  dataPagesLengthOf,
  mappingLengthOf,
  flagsOf,
  setProtection,
  FLAG_LOCKED,
  FLAG_SECRET_MEMORY,
} from './regions';
import { NO_CLASS, classOf, classSize, slotOffset, strideOf } from './heap-layout';
import {
  pageGeometry,
  pageClass,
  pageArena,
  pageNumber,
  pageLive,
  pagePending,
  pageOpen,
  pageFree,
  pageSlots,
  slotDataSize,
  isFree,
  takeFreeSlot,
  markPending,
  rewindPage,
  pageNext,
  NO_SLOT,
} from './heap-pages';
import {
  NO_ARENA,
  claimArena,
  releaseArena,
  arenaNext,
  setArenaNext,
  arenaPages,
  arenaVirgin,
  arenaRegion,
  arenaHostId,
  arenaDirtyLow,
  arenaDirtyHigh,
  clearDirty,
  markDirty,
  pageAt,
  pageOffset,
  addArenaLive,
  addArenaPending,
  arenaLiveSlots,
  arenaPendingSlots,
} from './heap-arenas';
import {
  claimHeap,
  heapFlags,
  heapArenaPages,
  heapFirstArena,
  setHeapFirstArena,
  heapMaxBytes,
  heapReservedBytes,
  heapPending,
  heapCanaryFailures,
  classHead,
  classPages,
  addClassPages,
  addHeapArenas,
  addHeapLive,
  addHeapPending,
  addHeapUsedBytes,
  addHeapSlotBytes,
  addHeapReservedBytes,
  addHeapLockedBytes,
  addHeapSecretBytes,
  recordDamage,
  HEAP_LOCK_BEST_EFFORT,
  HEAP_SECRET_PREFERRED,
  HEAP_SECRET_REQUIRED,
} from './heap-records';
import { openSpan, restoreSpan } from './heap-spans';
import { wipePendingSlots, firstDifference } from './heap-wipe';
import { formatVirginPages, reformatPage } from './heap-format';
import { unlinkPage, sendToBack } from './heap-page-lists';
import { FLUSH_BEFORE_GROWING_AT_PAGES, WIPE_BYTE } from './wipe-policy';
import { claimSecret, releaseSecret, SECRET_IN_SLOT } from './secrets';
import { REASON_HEAP_FULL } from './heap-status';

/** Most virgin pages formatted for a class in one open/close. */
const VIRGIN_BATCH_MAX: u32 = 8;
/** provideVirgin/reformatEmpty: nothing to take. */
const NONE_FOUND: i32 = -1;

/** Makes a heap; its first arena is mapped by the first allocation. */
export function createHeap(arenaPages: u32, maxBytes: u64, flags: u32): u32 {
  pageGeometry();
  return claimHeap(flags, arenaPages, maxBytes, NO_ARENA);
}

// ── Growing ──────────────────────────────────────────────────────────────────────────────────

/** allocateRegion's options for the heap's arenas and dedicated regions: its lock and secret-memory policy. */
export function heapRegionOptions(h: u32): u32 {
  const flags = heapFlags(h);
  return (
    (flags & HEAP_LOCK_BEST_EFFORT ? OPTION_LOCK_BEST_EFFORT : 0) |
    (flags & HEAP_SECRET_PREFERRED ? OPTION_SECRET_PREFERRED : 0) |
    (flags & HEAP_SECRET_REQUIRED ? OPTION_SECRET_REQUIRED : 0)
  );
}

/** Maps, advises and locks a new arena (all NoAccess, all virgin). Returns OK or a status. */
function growHeap(h: u32): i32 {
  const pages = heapArenaPages(h);
  const bytes = <u64>pages * pageSize;
  const mapping = bytes + 2 * pageSize; // a guard page at each end
  const max = heapMaxBytes(h);
  if (max != 0 && heapReservedBytes(h) + mapping > max) return refuse(ALLOCATION_FAILED, REASON_HEAP_FULL);
  // A Secure region: guard pages, MADV_DONTDUMP/DONTFORK, locked (or LOCK_FAILED), then NoAccess;
  // its data pages in secret memory if the heap asks for it.
  const region = allocateRegion(
    bytes,
    pageSize,
    NO_ACCESS,
    TYPE_SECURE,
    0,
    0,
    heapRegionOptions(h) | OPTION_COMMIT_AS_FORMATTED,
  );
  if (region < 0) return -region;
  const slot = <u32>region;
  const arena = claimArena(h, slot, hostIdOf(slot), pages, dataPagesOffsetOf(slot));
  setArenaNext(arena, heapFirstArena(h));
  setHeapFirstArena(h, arena);
  addHeapArenas(h, 1);
  addHeapReservedBytes(h, <i64>mappingLengthOf(slot));
  if (flagsOf(slot) & FLAG_LOCKED) addHeapLockedBytes(h, <i64>dataPagesLengthOf(slot));
  if (flagsOf(slot) & FLAG_SECRET_MEMORY) addHeapSecretBytes(h, <i64>dataPagesLengthOf(slot));
  return OK;
}

/** Formats a batch of virgin pages for class `c`: OK, NONE_FOUND, or a status. */
function provideVirgin(h: u32, c: i32): i32 {
  let batch = classPages(h, c); // grow the batch with the class: 1, 1, 2, 4, 8, 8 …
  if (batch < 1) batch = 1;
  if (batch > VIRGIN_BATCH_MAX) batch = VIRGIN_BATCH_MAX;
  let arena = heapFirstArena(h);
  while (arena != NO_ARENA) {
    const virgin = arenaVirgin(arena);
    const left = arenaPages(arena) - virgin;
    if (left > 0) return formatVirginPages(arena, virgin, left < batch ? left : batch, c);
    arena = arenaNext(arena);
  }
  return NONE_FOUND;
}

/** Reformats an empty page of another class for class `c`: OK, NONE_FOUND, or a status. */
function reformatEmpty(h: u32, c: i32): i32 {
  let arena = heapFirstArena(h);
  while (arena != NO_ARENA) {
    const formatted = arenaVirgin(arena);
    for (let number: u32 = 0; number < formatted; number++) {
      const page = pageAt(arena, number);
      const old = pageClass(page);
      if (old == <u32>c || old == NO_CLASS) continue;
      if (pageLive(page) == 0 && pagePending(page) == 0 && pageOpen(page) == 0) return reformatPage(arena, number, c);
    }
    arena = arenaNext(arena);
  }
  return NONE_FOUND;
}

// ── Allocating and freeing slots ─────────────────────────────────────────────────────────────

/** Allocates a zero-filled slot for `size` bytes (1..largest class). Returns the secret or -status. */
export function allocSlot(h: u32, size: u32): i32 {
  const c = classOf(size);
  let page = classHead(h, c);
  let status = OK;
  // The wipe policy (wipe-policy.ts): an older class wipes its freed slots before taking more.
  if (page == 0 && heapPending(h) > 0 && classPages(h, c) >= FLUSH_BEFORE_GROWING_AT_PAGES) {
    status = flushHeap(h);
    if (status != OK) return -status;
    page = classHead(h, c);
  }
  if (page == 0) {
    status = provideVirgin(h, c);
    if (status > 0) return -status;
    page = classHead(h, c);
  }
  if (page == 0 && heapPending(h) > 0) {
    status = flushHeap(h);
    if (status != OK) return -status;
    page = classHead(h, c);
  }
  if (page == 0) {
    status = reformatEmpty(h, c);
    if (status > 0) return -status;
    page = classHead(h, c);
  }
  if (page == 0) {
    status = growHeap(h);
    if (status != OK) return -status;
    status = provideVirgin(h, c);
    if (status > 0) return -status;
    page = classHead(h, c);
  }
  assert(page != 0);
  // FIFO reuse (heap-page-lists.ts): a page whose free slots all lie behind its cursor starts its
  // next round at the back of the list; the loop ends at the latest on a page rewound to slot 0.
  let slot = takeFreeSlot(page, size);
  while (slot == NO_SLOT) {
    rewindPage(page);
    if (pageNext(page) != 0) sendToBack(h, page);
    page = classHead(h, c);
    slot = takeFreeSlot(page, size);
  }
  if (pageFree(page) == 0) unlinkPage(h, page);
  const arena = pageArena(page);
  const number = pageNumber(page);
  addArenaLive(arena, 1);
  addHeapLive(h, 1);
  addHeapUsedBytes(h, <i64>size);
  addHeapSlotBytes(h, <i64>classSize(c));
  const dataOffset = pageOffset(arena, number) + slotOffset(c, slot);
  return <i32>claimSecret(SECRET_IN_SLOT, h, arena, page, slot, <u64>size, dataOffset);
}

/** Frees a slot secret: its slot becomes pending (wiped by the next flush). No host call. */
export function freeSlot(h: u32, secret: u32, arena: u32, page: usize, slot: u32, size: u64): void {
  markPending(page, slot);
  markDirty(arena, pageNumber(page));
  addArenaLive(arena, -1);
  addArenaPending(arena, 1);
  addHeapLive(h, -1);
  addHeapPending(h, 1);
  addHeapUsedBytes(h, -(<i64>size));
  addHeapSlotBytes(h, -(<i64>classSize(<i32>pageClass(page))));
  releaseSecret(secret);
}

// ── Flushing ─────────────────────────────────────────────────────────────────────────────────

/** Wipes every pending slot of one arena: one open of the dirty span, one close. */
function flushArena(h: u32, arena: u32): i32 {
  const low = arenaDirtyLow(arena);
  const high = arenaDirtyHigh(arena);
  let status = openSpan(arena, low, high);
  if (status != OK) return status;
  for (let number = low; number < high; number++) {
    if (pagePending(pageAt(arena, number)) == 0) continue;
    status = wipePendingSlots(h, arena, number);
    if (status != OK) break;
  }
  const closed = restoreSpan(arena, low, high);
  if (status != OK) return status; // the dirty span stays: the next flush tries again
  clearDirty(arena);
  return closed;
}

/** Wipes every pending slot of the heap. Canary damage is recorded in the heap, not returned. */
export function flushHeap(h: u32): i32 {
  if (heapPending(h) == 0) return OK;
  let arena = heapFirstArena(h);
  while (arena != NO_ARENA) {
    if (arenaDirtyHigh(arena) != 0) {
      const status = flushArena(h, arena);
      if (status != OK) return status;
    }
    arena = arenaNext(arena);
  }
  return OK;
}

// ── Releasing arenas ─────────────────────────────────────────────────────────────────────────

/**
 * Releases an arena, whatever it holds: opens all its pages, zeroes every live and pending
 * slot's data, checks each formatted page against its image, then frees the region (which wipes
 * every data byte again and unmaps, dropping the lock and the advice).
 */
function releaseArenaChecked(h: u32, arena: u32): i32 {
  const region = arenaRegion(arena);
  const pages = arenaPages(arena);
  const formatted = arenaVirgin(arena);
  const id = arenaHostId(arena);
  if (openSpan(arena, 0, pages) == OK) {
    setProtection(region, READ_WRITE); // recorded as the kernel has it: freeRegion needs no second open
    for (let number: u32 = 0; number < formatted; number++) {
      const page = pageAt(arena, number);
      const c = <i32>pageClass(page);
      if (<u32>c == NO_CLASS) continue;
      unlinkPage(h, page);
      addClassPages(h, c, -1);
      const base = pageOffset(arena, number);
      const slots = pageSlots(page);
      for (let slot: u32 = 0; slot < slots; slot++) {
        if (!isFree(page, slot))
          hostFill(id, <f64>(base + slotOffset(c, slot)), <f64>slotDataSize(page, slot), WIPE_BYTE);
      }
      const damage = firstDifference(arena, number, c, 0, slotOffset(c, slots - 1) + strideOf(c));
      if (damage >= 0) recordDamage(h, arena, base + <u64>damage);
    }
  }
  const mapping = mappingLengthOf(region);
  const locked = flagsOf(region) & FLAG_LOCKED ? dataPagesLengthOf(region) : 0;
  const secretBytes = flagsOf(region) & FLAG_SECRET_MEMORY ? dataPagesLengthOf(region) : 0;
  // Only formatted pages were ever written; the virgin ones are still the kernel's zero pages.
  const freed = freeRegion(region, <u64>formatted * pageSize);
  if (freed != OK && freed != CANARY_CORRUPTED) return freed; // still mapped: keep the records
  addHeapReservedBytes(h, -(<i64>mapping));
  addHeapLockedBytes(h, -(<i64>locked));
  addHeapSecretBytes(h, -(<i64>secretBytes));
  addHeapArenas(h, -1);
  addHeapLive(h, -(<i32>arenaLiveSlots(arena)));
  addHeapPending(h, -(<i32>arenaPendingSlots(arena)));
  releaseArena(arena);
  return OK;
}

/** Releases the arenas that hold no secret (after wiping pending ones). */
export function trimHeap(h: u32): i32 {
  const failuresBefore = heapCanaryFailures(h);
  let status = flushHeap(h);
  if (status != OK) return status;
  let previous = NO_ARENA;
  let arena = heapFirstArena(h);
  while (arena != NO_ARENA) {
    const next = arenaNext(arena);
    if (arenaLiveSlots(arena) == 0 && arenaPendingSlots(arena) == 0) {
      const released = releaseArenaChecked(h, arena);
      if (released == OK) {
        if (previous == NO_ARENA) setHeapFirstArena(h, next);
        else setArenaNext(previous, next);
        arena = next;
        continue;
      }
      if (status == OK) status = released;
    }
    previous = arena;
    arena = next;
  }
  if (status == OK && heapCanaryFailures(h) != failuresBefore) return osFailure(CANARY_CORRUPTED, 0, 0);
  return status;
}

/**
 * Releases every arena of a heap (wiping, checking and unmapping each). The caller frees the
 * heap's dedicated regions and secret records first, and releases the heap record after.
 */
export function releaseHeapArenas(h: u32): i32 {
  let status = OK;
  let arena = heapFirstArena(h);
  while (arena != NO_ARENA) {
    const next = arenaNext(arena);
    const released = releaseArenaChecked(h, arena);
    if (released != OK && status == OK) status = released;
    arena = next;
  }
  setHeapFirstArena(h, NO_ARENA);
  return status;
}
