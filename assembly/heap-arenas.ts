// The arena table: one record per arena of every secure heap, in a handle table (handle-table.ts;
// arenas are never named by handles, so their generations do not matter). An arena is one Secure
// region (region table) whose data pages the heap sub-allocates; its page records live in a block
// of core memory that is kept and reused when the arena is released (the stub runtime never frees).
//
//  arena record (ARENA_RECORD_SIZE = 64 bytes)
//  0       4       8       12      16      20      24      28      32      36      40      44      48      56
//  ├───────┼───────┼───────┼───────┼───────┼───────┼───────┼───────┼───────┼───────┼───────┼───────┼───────┼───────┤
//  │ gener-│ link  │region │ pages │ page  │ capa- │ next  │ dirty │ dirty │virgin │ live  │pending│host id│ data  │
//  │ ation │(table)│ slot  │       │records│ city  │       │ low   │ high  │cursor │ slots │ slots │       │ offset│
//  └───────┴───────┴───────┴───────┴───────┴───────┴───────┴───────┴───────┴───────┴───────┴───────┴───────┴───────┘
//  52 heap (u32). next: the heap's next arena.
//  dirty low/high: the page numbers [low, high) that hold pending wipes (high == 0: none).
//  virgin cursor: pages from here on were never formatted (still all zero from the kernel).
//  data offset: where the first data page starts in the mapping (after the leading guard page).
import { pageSize } from "./machine";
import { PAGE_RECORD_SIZE, initPage } from "./heap-pages";
import { HandleTable, HEADER_SIZE, NONE } from "./handle-table";

export const ARENA_RECORD_SIZE: usize = 64;
const REGION: usize = HEADER_SIZE;
const PAGES: usize = 12;
const RECORDS: usize = 16;
const CAPACITY: usize = 20;
const NEXT: usize = 24;
const DIRTY_LOW: usize = 28;
const DIRTY_HIGH: usize = 32;
const VIRGIN: usize = 36;
const LIVE: usize = 40;
const PENDING: usize = 44;
const HOST_ID: usize = 48;
const HEAP: usize = 52;
const DATA_OFFSET: usize = 56;

export const NO_ARENA: u32 = NONE;

const arenas = new HandleTable(ARENA_RECORD_SIZE, 16, false);

// @ts-ignore: decorator
@inline function recordOf(arena: u32): usize { return arenas.recordOf(arena); }

// @ts-ignore: decorator
@inline export function arenaLive(arena: u32): bool { return arenas.isLive(arena); }
// @ts-ignore: decorator
@inline export function arenaHeap(arena: u32): u32 { return load<u32>(recordOf(arena) + HEAP); }
// @ts-ignore: decorator
@inline export function arenaRegion(arena: u32): u32 { return load<u32>(recordOf(arena) + REGION); }
// @ts-ignore: decorator
@inline export function arenaPages(arena: u32): u32 { return load<u32>(recordOf(arena) + PAGES); }
// @ts-ignore: decorator
@inline export function arenaNext(arena: u32): u32 { return load<u32>(recordOf(arena) + NEXT); }
// @ts-ignore: decorator
@inline export function arenaDirtyLow(arena: u32): u32 { return load<u32>(recordOf(arena) + DIRTY_LOW); }
// @ts-ignore: decorator
@inline export function arenaDirtyHigh(arena: u32): u32 { return load<u32>(recordOf(arena) + DIRTY_HIGH); }
// @ts-ignore: decorator
@inline export function arenaVirgin(arena: u32): u32 { return load<u32>(recordOf(arena) + VIRGIN); }
// @ts-ignore: decorator
@inline export function arenaLiveSlots(arena: u32): u32 { return load<u32>(recordOf(arena) + LIVE); }
// @ts-ignore: decorator
@inline export function arenaPendingSlots(arena: u32): u32 { return load<u32>(recordOf(arena) + PENDING); }
// @ts-ignore: decorator
@inline export function arenaHostId(arena: u32): i32 { return load<i32>(recordOf(arena) + HOST_ID); }

// @ts-ignore: decorator
@inline export function setArenaNext(arena: u32, next: u32): void { store<u32>(recordOf(arena) + NEXT, next); }
// @ts-ignore: decorator
@inline export function setArenaVirgin(arena: u32, cursor: u32): void { store<u32>(recordOf(arena) + VIRGIN, cursor); }
// @ts-ignore: decorator
@inline export function addArenaLive(arena: u32, delta: i32): void {
  store<u32>(recordOf(arena) + LIVE, load<u32>(recordOf(arena) + LIVE) + <u32>delta);
}
// @ts-ignore: decorator
@inline export function addArenaPending(arena: u32, delta: i32): void {
  store<u32>(recordOf(arena) + PENDING, load<u32>(recordOf(arena) + PENDING) + <u32>delta);
}

/** The record of page `number` of `arena`. */
// @ts-ignore: decorator
@inline export function pageAt(arena: u32, number: u32): usize {
  return load<usize>(recordOf(arena) + RECORDS) + <usize>number * PAGE_RECORD_SIZE;
}

/** Mapping offset of page `number` of `arena`. */
// @ts-ignore: decorator
@inline export function pageOffset(arena: u32, number: u32): u64 {
  return load<u64>(recordOf(arena) + DATA_OFFSET) + <u64>number * pageSize;
}

/** Records that page `number` holds a pending wipe. */
export function markDirty(arena: u32, number: u32): void {
  const record = recordOf(arena);
  const high = load<u32>(record + DIRTY_HIGH);
  if (high == 0) {
    store<u32>(record + DIRTY_LOW, number);
    store<u32>(record + DIRTY_HIGH, number + 1);
    return;
  }
  if (number < load<u32>(record + DIRTY_LOW)) store<u32>(record + DIRTY_LOW, number);
  if (number >= high) store<u32>(record + DIRTY_HIGH, number + 1);
}

export function clearDirty(arena: u32): void {
  store<u32>(recordOf(arena) + DIRTY_LOW, 0);
  store<u32>(recordOf(arena) + DIRTY_HIGH, 0);
}

/** Records a new arena over region `region` (mapping `hostId`); its pages start virgin. */
export function claimArena(heapIndex: u32, region: u32, hostId: i32, pages: u32, dataOffset: u64): u32 {
  // Reuse a released record whose page block is large enough (first fit).
  let arena = NO_ARENA;
  let previous = NO_ARENA;
  let candidate = arenas.firstFree();
  while (candidate != NO_ARENA) {
    if (load<u32>(recordOf(candidate) + CAPACITY) >= pages) { arena = candidate; break; }
    previous = candidate;
    candidate = arenas.nextFree(candidate);
  }
  if (arena != NO_ARENA) {
    arenas.claimFree(arena, previous);
  } else {
    arena = arenas.claim();
    store<usize>(recordOf(arena) + RECORDS, heap.alloc(<usize>pages * PAGE_RECORD_SIZE));
    store<u32>(recordOf(arena) + CAPACITY, pages);
  }
  const record = recordOf(arena);
  store<u32>(record + HEAP, heapIndex);
  store<u32>(record + REGION, region);
  store<u32>(record + PAGES, pages);
  store<u32>(record + NEXT, NO_ARENA);
  store<u32>(record + DIRTY_LOW, 0);
  store<u32>(record + DIRTY_HIGH, 0);
  store<u32>(record + VIRGIN, 0);
  store<u32>(record + LIVE, 0);
  store<u32>(record + PENDING, 0);
  store<i32>(record + HOST_ID, hostId);
  store<u64>(record + DATA_OFFSET, dataOffset);
  for (let number: u32 = 0; number < pages; number++) initPage(pageAt(arena, number), arena, number);
  return arena;
}

/** Returns an arena record to the free list (its region must already be unmapped). */
export function releaseArena(arena: u32): void {
  store<i32>(recordOf(arena) + HOST_ID, -1);
  arenas.release(arena);
}
