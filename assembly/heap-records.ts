// The heap table: one record per SecureHeap, in a handle table (handle-table.ts).
//
//  heap record (HEAP_RECORD_SIZE = 344 bytes on wasm32)
//  0        4        8        12       16       20       24       28       32       36       40
//  ├────────┼────────┼────────┼────────┼────────┼────────┼────────┼────────┼────────┼────────┤
//  │ gener- │ link   │ arena  │ first  │ arenas │ live   │pending │dedica- │ open   │ canary │
//  │ ation  │ (table)│ pages  │ arena  │        │secrets │ slots  │ ted    │ scopes │failures│
//  └────────┴────────┴────────┴────────┴────────┴────────┴────────┴────────┴────────┴────────┘
//  40 maxBytes · 48 usedBytes · 56 slotBytes · 64 reservedBytes · 72 lockedBytes (u64 each)
//  80 flags · 84 damaged arena · 88 damaged offset (u64)
//  96 ─► CLASS_COUNT list heads (usize): pages of that class with a free slot
//  176 ─► CLASS_COUNT page counts (u32): pages formatted for that class
//  256 secretBytes (u64): data pages held in secret memory (memfd_secret)
//  264 ─► CLASS_COUNT list tails (usize): the last page of each list (pages join at the tail: FIFO)
import { CLASS_COUNT } from "./heap-layout";
import { HandleTable, HEADER_SIZE } from "./handle-table";

export const HEAP_RECORD_SIZE: usize = 264 + <usize>CLASS_COUNT * sizeof<usize>();
const ARENA_PAGES: usize = HEADER_SIZE;
const FIRST_ARENA: usize = 12;
const ARENAS: usize = 16;
const LIVE: usize = 20;
const PENDING: usize = 24;
const DEDICATED: usize = 28;
const OPEN: usize = 32;
const FAILURES: usize = 36;
const MAX_BYTES: usize = 40;
const USED: usize = 48;
const SLOT_BYTES: usize = 56;
const RESERVED: usize = 64;
const LOCKED: usize = 72;
const FLAGS: usize = 80;
const DAMAGED_ARENA: usize = 84;
const DAMAGED_OFFSET: usize = 88;
const CLASS_HEADS: usize = 96;
const CLASS_PAGES: usize = CLASS_HEADS + <usize>CLASS_COUNT * sizeof<usize>(); // 176 on wasm32
const SECRET_BYTES: usize = CLASS_PAGES + <usize>CLASS_COUNT * 4; // 256 on wasm32
const CLASS_TAILS: usize = SECRET_BYTES + 8; // 264

export const HEAP_LOCK_BEST_EFFORT: u32 = 1 << 0; // arenas that cannot be locked are used unlocked
export const HEAP_SECRET_PREFERRED: u32 = 1 << 1; // arenas in secret memory where it can be had
export const HEAP_SECRET_REQUIRED: u32 = 1 << 2; // arenas in secret memory, or no arena
export const HEAP_PURGE_PENDING: u32 = 1 << 3; // purge() found a scope open: destroyed when the last closes
export const HEAP_ISOLATED: u32 = 1 << 4; // every secret in a region of its own (no slots): a stale view faults

const heaps = new HandleTable(HEAP_RECORD_SIZE, 8, true);

/** The generation of the heap made last. */
export let createdHeapGeneration: u32 = 0;

// @ts-ignore: decorator
@inline function recordOf(h: u32): usize { return heaps.recordOf(h); }

// Counters: u32 fields read and adjusted by offset through these two.
// @ts-ignore: decorator
@inline function get32(h: u32, field: usize): u32 { return load<u32>(recordOf(h) + field); }
// @ts-ignore: decorator
@inline function add32(h: u32, field: usize, delta: i32): void {
  store<u32>(recordOf(h) + field, load<u32>(recordOf(h) + field) + <u32>delta);
}
// @ts-ignore: decorator
@inline function get64(h: u32, field: usize): u64 { return load<u64>(recordOf(h) + field); }
// @ts-ignore: decorator
@inline function add64(h: u32, field: usize, delta: i64): void {
  store<u64>(recordOf(h) + field, load<u64>(recordOf(h) + field) + <u64>delta);
}

// @ts-ignore: decorator
@inline export function heapGeneration(h: u32): u32 { return heaps.generationOf(h); }
// @ts-ignore: decorator
@inline export function heapFlags(h: u32): u32 { return get32(h, FLAGS); }
// @ts-ignore: decorator
@inline export function heapArenaPages(h: u32): u32 { return get32(h, ARENA_PAGES); }
// @ts-ignore: decorator
@inline export function heapFirstArena(h: u32): u32 { return get32(h, FIRST_ARENA); }
// @ts-ignore: decorator
@inline export function heapArenas(h: u32): u32 { return get32(h, ARENAS); }
// @ts-ignore: decorator
@inline export function heapLive(h: u32): u32 { return get32(h, LIVE); }
// @ts-ignore: decorator
@inline export function heapPending(h: u32): u32 { return get32(h, PENDING); }
// @ts-ignore: decorator
@inline export function heapDedicated(h: u32): u32 { return get32(h, DEDICATED); }
// @ts-ignore: decorator
@inline export function heapOpenScopes(h: u32): u32 { return get32(h, OPEN); }
// @ts-ignore: decorator
@inline export function heapCanaryFailures(h: u32): u32 { return get32(h, FAILURES); }
// @ts-ignore: decorator
@inline export function heapMaxBytes(h: u32): u64 { return get64(h, MAX_BYTES); }
// @ts-ignore: decorator
@inline export function heapUsedBytes(h: u32): u64 { return get64(h, USED); }
// @ts-ignore: decorator
@inline export function heapSlotBytes(h: u32): u64 { return get64(h, SLOT_BYTES); }
// @ts-ignore: decorator
@inline export function heapReservedBytes(h: u32): u64 { return get64(h, RESERVED); }
// @ts-ignore: decorator
@inline export function heapLockedBytes(h: u32): u64 { return get64(h, LOCKED); }
// @ts-ignore: decorator
@inline export function heapSecretBytes(h: u32): u64 { return get64(h, SECRET_BYTES); }
// @ts-ignore: decorator
@inline export function heapDamagedArena(h: u32): u32 { return get32(h, DAMAGED_ARENA); }
// @ts-ignore: decorator
@inline export function heapDamagedOffset(h: u32): u64 { return get64(h, DAMAGED_OFFSET); }
// @ts-ignore: decorator
@inline export function heapIsLive(h: u32): bool { return heaps.isLive(h); }

// @ts-ignore: decorator
@inline export function markHeapPurgePending(h: u32): void {
  store<u32>(recordOf(h) + FLAGS, heapFlags(h) | HEAP_PURGE_PENDING);
}
// @ts-ignore: decorator
@inline export function setHeapFirstArena(h: u32, arena: u32): void { store<u32>(recordOf(h) + FIRST_ARENA, arena); }
// @ts-ignore: decorator
@inline export function addHeapArenas(h: u32, delta: i32): void { add32(h, ARENAS, delta); }
// @ts-ignore: decorator
@inline export function addHeapLive(h: u32, delta: i32): void { add32(h, LIVE, delta); }
// @ts-ignore: decorator
@inline export function addHeapPending(h: u32, delta: i32): void { add32(h, PENDING, delta); }
// @ts-ignore: decorator
@inline export function addHeapDedicated(h: u32, delta: i32): void { add32(h, DEDICATED, delta); }
// @ts-ignore: decorator
@inline export function addHeapOpenScopes(h: u32, delta: i32): void { add32(h, OPEN, delta); }
// @ts-ignore: decorator
@inline export function addHeapUsedBytes(h: u32, delta: i64): void { add64(h, USED, delta); }
// @ts-ignore: decorator
@inline export function addHeapSlotBytes(h: u32, delta: i64): void { add64(h, SLOT_BYTES, delta); }
// @ts-ignore: decorator
@inline export function addHeapReservedBytes(h: u32, delta: i64): void { add64(h, RESERVED, delta); }
// @ts-ignore: decorator
@inline export function addHeapLockedBytes(h: u32, delta: i64): void { add64(h, LOCKED, delta); }
// @ts-ignore: decorator
@inline export function addHeapSecretBytes(h: u32, delta: i64): void { add64(h, SECRET_BYTES, delta); }

/** Records canary damage found in `arena` at mapping offset `offset`. */
export function recordDamage(h: u32, arena: u32, offset: u64): void {
  add32(h, FAILURES, 1);
  store<u32>(recordOf(h) + DAMAGED_ARENA, arena);
  store<u64>(recordOf(h) + DAMAGED_OFFSET, offset);
}

/** Head of class `c`'s list of pages with a free slot (0: none). */
// @ts-ignore: decorator
@inline export function classHead(h: u32, c: i32): usize {
  return load<usize>(recordOf(h) + CLASS_HEADS + <usize>c * sizeof<usize>());
}
// @ts-ignore: decorator
@inline export function setClassHead(h: u32, c: i32, page: usize): void {
  store<usize>(recordOf(h) + CLASS_HEADS + <usize>c * sizeof<usize>(), page);
}
// @ts-ignore: decorator
@inline export function classTail(h: u32, c: i32): usize {
  return load<usize>(recordOf(h) + CLASS_TAILS + <usize>c * sizeof<usize>());
}
// @ts-ignore: decorator
@inline export function setClassTail(h: u32, c: i32, page: usize): void {
  store<usize>(recordOf(h) + CLASS_TAILS + <usize>c * sizeof<usize>(), page);
}
// @ts-ignore: decorator
@inline export function classPages(h: u32, c: i32): u32 { return load<u32>(recordOf(h) + CLASS_PAGES + <usize>c * 4); }
// @ts-ignore: decorator
@inline export function addClassPages(h: u32, c: i32, delta: i32): void {
  const at = recordOf(h) + CLASS_PAGES + <usize>c * 4;
  store<u32>(at, load<u32>(at) + <u32>delta);
}

/** Number of heap records ever used. */
export function heapRecordCount(): u32 { return heaps.count(); }

/** Takes a heap record; sets createdHeapGeneration. */
export function claimHeap(flags: u32, arenaPages: u32, maxBytes: u64, noArena: u32): u32 {
  const h = heaps.claim();
  const record = recordOf(h);
  memory.fill(record + HEADER_SIZE, 0, HEAP_RECORD_SIZE - HEADER_SIZE);
  store<u32>(record + FLAGS, flags);
  store<u32>(record + ARENA_PAGES, arenaPages);
  store<u32>(record + FIRST_ARENA, noArena);
  store<u64>(record + MAX_BYTES, maxBytes);
  createdHeapGeneration = heaps.generationOf(h);
  return h;
}

/** Releases a heap record; old handles then read as destroyed. */
export function releaseHeap(h: u32): void {
  store<u32>(recordOf(h) + FLAGS, 0);
  heaps.release(h);
}

/** Classifies a heap handle; changes nothing. */
export function checkHeapHandle(h: u32, generation: u32): i32 {
  return heaps.check(h, generation);
}
