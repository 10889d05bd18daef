// The region table: one fixed-size record per slot, addressed by generation-checked handles.
//
//  table ─► ┌──────── record 0 ────────┬──────── record 1 ────────┬─ … ─┐
//           │ RECORD_SIZE (80) bytes   │                          │     │
//           └──────────────────────────┴──────────────────────────┴─────┘
//
//  record   0        4        8        12   13   14   15   16            24
//           ├────────┼────────┼────────┼────┼────┼────┼────┼─────────────┼──── … ──┐
//           │ gener- │ host   │ flags  │type│prot│page│ —  │ size (u64)  │ align,  │
//           │ ation  │ id     │        │    │    │kind│    │             │ lengths │
//           └────────┴────────┴────────┴────┴────┴────┴────┴─────────────┴──── … ──┘
//           24 align · 32 mappingLength · 40 dataPagesOffset · 48 dataPagesLength
//           56 dataOffset · 64 granule · 72 nextFree (free-list link)
//           80 writtenLow · 88 writtenHigh: the mapping bytes [low, high) ever written with data
//              (high == 0: none). A Regular or LargePage region's wipes cover only these and the
//              canary slack: a page never written holds the kernel's zeros, and writing zeros over
//              it would only fault it in. (Secure regions are committed whole, and wiped whole.)
//
// A handle is (slot, generation). Freeing a slot bumps its generation, so an old handle is
// recognised as freed (use after free, double free) rather than silently reaching a new region.

export const RECORD_SIZE: usize = 96;
const GENERATION: usize = 0;
const HOST_ID: usize = 4;
const FLAGS: usize = 8;
const TYPE: usize = 12;
const PROTECTION: usize = 13;
const PAGE_KIND: usize = 14;
const SIZE: usize = 16;
const ALIGN: usize = 24;
const MAPPING_LENGTH: usize = 32;
const DATA_PAGES_OFFSET: usize = 40;
const DATA_PAGES_LENGTH: usize = 48;
const DATA_OFFSET: usize = 56;
const GRANULE: usize = 64;
const NEXT_FREE: usize = 72;
const WRITTEN_LOW: usize = 80;
const WRITTEN_HIGH: usize = 88;

// Record flags.
export const FLAG_LIVE: u32 = 1 << 0; // the slot holds a mapped region
export const FLAG_LOCKED: u32 = 1 << 1; // its data pages are locked in RAM
export const FLAG_GUARDED: u32 = 1 << 2; // it has guard pages
export const FLAG_CANARY: u32 = 1 << 3; // its slack holds canary bytes
export const FLAG_DONTDUMP: u32 = 1 << 4; // excluded from core dumps
export const FLAG_DONTFORK: u32 = 1 << 5; // not inherited by fork() children
export const FLAG_LOCK_WANTED: u32 = 1 << 6; // Secure: a lock was asked for (failed if not LOCKED)
export const FLAG_HUGEPAGE_ADVISED: u32 = 1 << 7; // transparent huge pages were asked for
export const FLAG_SECRET_MEMORY: u32 = 1 << 8; // its data pages are secret memory (memfd_secret)
export const FLAG_SECRET_WANTED: u32 = 1 << 9; // Secure: secret memory was asked for (not had if not SECRET_MEMORY)

// Page kinds (what the region's granule is made of).
export const PAGE_NORMAL: u8 = 0;
export const PAGE_TRANSPARENT_HUGE: u8 = 1;
export const PAGE_EXPLICIT_HUGE: u8 = 2;

const NO_SLOT: u32 = 0xffffffff;

let table: usize = 0;
let capacity: u32 = 0;
let slotCount: u32 = 0; // slots ever used; all below are either live or on the free list
let freeHead: u32 = NO_SLOT;
let liveCount: u32 = 0;

// @ts-ignore: decorator
@inline function recordOf(slot: u32): usize {
  return table + <usize>slot * RECORD_SIZE;
}

// @ts-ignore: decorator
@inline export function generationOf(slot: u32): u32 { return load<u32>(recordOf(slot) + GENERATION); }
// @ts-ignore: decorator
@inline export function hostIdOf(slot: u32): i32 { return load<i32>(recordOf(slot) + HOST_ID); }
// @ts-ignore: decorator
@inline export function flagsOf(slot: u32): u32 { return load<u32>(recordOf(slot) + FLAGS); }
// @ts-ignore: decorator
@inline export function typeOf(slot: u32): u8 { return load<u8>(recordOf(slot) + TYPE); }
// @ts-ignore: decorator
@inline export function protectionOf(slot: u32): u8 { return load<u8>(recordOf(slot) + PROTECTION); }
// @ts-ignore: decorator
@inline export function pageKindOf(slot: u32): u8 { return load<u8>(recordOf(slot) + PAGE_KIND); }
// @ts-ignore: decorator
@inline export function sizeOf(slot: u32): u64 { return load<u64>(recordOf(slot) + SIZE); }
// @ts-ignore: decorator
@inline export function alignOf(slot: u32): u64 { return load<u64>(recordOf(slot) + ALIGN); }
// @ts-ignore: decorator
@inline export function mappingLengthOf(slot: u32): u64 { return load<u64>(recordOf(slot) + MAPPING_LENGTH); }
// @ts-ignore: decorator
@inline export function dataPagesOffsetOf(slot: u32): u64 { return load<u64>(recordOf(slot) + DATA_PAGES_OFFSET); }
// @ts-ignore: decorator
@inline export function dataPagesLengthOf(slot: u32): u64 { return load<u64>(recordOf(slot) + DATA_PAGES_LENGTH); }
// @ts-ignore: decorator
@inline export function dataOffsetOf(slot: u32): u64 { return load<u64>(recordOf(slot) + DATA_OFFSET); }
// @ts-ignore: decorator
@inline export function granuleOf(slot: u32): u64 { return load<u64>(recordOf(slot) + GRANULE); }

// @ts-ignore: decorator
@inline export function writtenLowOf(slot: u32): u64 { return load<u64>(recordOf(slot) + WRITTEN_LOW); }
// @ts-ignore: decorator
@inline export function writtenHighOf(slot: u32): u64 { return load<u64>(recordOf(slot) + WRITTEN_HIGH); }

/** Records that mapping bytes [offset, offset + length) now hold data (the range only grows). */
export function markWritten(slot: u32, offset: u64, length: u64): void {
  if (length == 0) return;
  const record = recordOf(slot);
  const high = load<u64>(record + WRITTEN_HIGH);
  const end = offset + length;
  if (high == 0 || offset < load<u64>(record + WRITTEN_LOW)) store<u64>(record + WRITTEN_LOW, offset);
  if (end > high) store<u64>(record + WRITTEN_HIGH, end);
}

// @ts-ignore: decorator
@inline export function setFlags(slot: u32, flags: u32): void { store<u32>(recordOf(slot) + FLAGS, flags); }
// @ts-ignore: decorator
@inline export function setProtection(slot: u32, protection: u8): void { store<u8>(recordOf(slot) + PROTECTION, protection); }

/** Total live regions. */
export function liveRegions(): u32 { return liveCount; }

/** Takes a slot (reusing a freed one first) and fills its record; the generation is kept. */
export function claimSlot(
  hostId: i32, flags: u32, type: u8, protection: u8, pageKind: u8, size: u64, align: u64,
  mappingLength: u64, dataPagesOffset: u64, dataPagesLength: u64, dataOffset: u64, granule: u64,
): u32 {
  let slot: u32;
  if (freeHead != NO_SLOT) {
    slot = freeHead;
    freeHead = load<u32>(recordOf(slot) + NEXT_FREE);
  } else {
    if (slotCount == capacity) grow();
    slot = slotCount++;
    store<u32>(recordOf(slot) + GENERATION, 1); // generation 0 is never a valid handle
  }
  const record = recordOf(slot);
  store<i32>(record + HOST_ID, hostId);
  store<u32>(record + FLAGS, flags | FLAG_LIVE);
  store<u8>(record + TYPE, type);
  store<u8>(record + PROTECTION, protection);
  store<u8>(record + PAGE_KIND, pageKind);
  store<u64>(record + SIZE, size);
  store<u64>(record + ALIGN, align);
  store<u64>(record + MAPPING_LENGTH, mappingLength);
  store<u64>(record + DATA_PAGES_OFFSET, dataPagesOffset);
  store<u64>(record + DATA_PAGES_LENGTH, dataPagesLength);
  store<u64>(record + DATA_OFFSET, dataOffset);
  store<u64>(record + GRANULE, granule);
  store<u32>(record + NEXT_FREE, NO_SLOT);
  store<u64>(record + WRITTEN_LOW, 0);
  store<u64>(record + WRITTEN_HIGH, 0);
  liveCount++;
  return slot;
}

/** Returns a slot to the free list; its generation moves on so old handles read as freed. */
export function releaseSlot(slot: u32): void {
  const record = recordOf(slot);
  assert(load<u32>(record + FLAGS) & FLAG_LIVE);
  store<u32>(record + FLAGS, 0);
  store<i32>(record + HOST_ID, -1);
  let generation = load<u32>(record + GENERATION) + 1;
  if (generation == 0) generation = 1; // after 2^32 frees of one slot: skip the invalid 0
  store<u32>(record + GENERATION, generation);
  store<u32>(record + NEXT_FREE, freeHead);
  freeHead = slot;
  liveCount--;
}

// What a handle lookup found.
export const HANDLE_LIVE: i32 = 0;
export const HANDLE_FREED: i32 = 1; // the slot's region was freed since the handle was made
export const HANDLE_UNKNOWN: i32 = 2; // not a handle this core ever issued

/** Classifies a handle. */
export function checkHandle(slot: u32, generation: u32): i32 {
  if (slot >= slotCount || generation == 0) return HANDLE_UNKNOWN;
  const current = generationOf(slot);
  if (current == generation) {
    return flagsOf(slot) & FLAG_LIVE ? HANDLE_LIVE : HANDLE_UNKNOWN; // bumped at free, never issued
  }
  // Generations only grow, so an older one was freed; a newer one was never issued.
  return generation < current ? HANDLE_FREED : HANDLE_UNKNOWN;
}

function grow(): void {
  const next: u32 = capacity == 0 ? 64 : capacity << 1;
  const bytes = <usize>next * RECORD_SIZE;
  table = table == 0 ? heap.alloc(bytes) : heap.realloc(table, bytes);
  capacity = next;
}
