// Page records of the secure heap: one per data page of an arena, holding the page's class, its
// current protection and open count, and a state per slot (free / live / pending wipe).
//
//  page record (PAGE_HEADER bytes, then three arrays sized from the page size at first use)
//  0       4       8       12      16      20      24      28      32      36      40    44    48     52  56
//  ├───────┼───────┼───────┼───────┼───────┼───────┼───────┼───────┼───────┼───────┼─────┼─────┼──────┼───┤
//  │ class │ prot  │ flags │ arena │ page# │ open  │ live  │ free  │ pend- │ slots │prev │next │cursor│ — │
//  │       │       │       │       │       │ count │ slots │ slots │ ing   │       │     │     │      │   │
//  └───────┴───────┴───────┴───────┴───────┴───────┴───────┴───────┴───────┴───────┴─────┴─────┴──────┴───┘
//  56 ─► free bitmap (WORDS × u32) │ pending bitmap (WORDS × u32) │ data size per slot (u16 × MAX_SLOTS)
//
//  A slot is free (wiped, bit set in `free`), pending (freed, its data not yet wiped: bit set in
//  `pending`) or live (neither). prev/next link the page into its heap's list of pages of the same
//  class that have free slots. cursor: the slot after the one taken last; slots are taken at or
//  after it, round the page (FIFO reuse: a freed slot behind the cursor waits for the next round).
import { pageSize } from "./machine";
import { GAP_SIZE, SMALLEST_CLASS_SIZE, NO_CLASS, slotsPerPage } from "./heap-layout";
import { NO_ACCESS } from "./protection";

const CLASS: usize = 0;
const PROTECTION: usize = 4;
const FLAGS: usize = 8;
const ARENA: usize = 12;
const NUMBER: usize = 16;
const OPEN: usize = 20;
const LIVE: usize = 24;
const FREE: usize = 28;
const PENDING: usize = 32;
const SLOTS: usize = 36;
const PREV: usize = 40;
const NEXT: usize = 44;
const CURSOR: usize = 48;
const PAGE_HEADER: usize = 56;

/** takeFreeSlot: no free slot at or after the cursor. */
export const NO_SLOT: u32 = 0xffffffff;

/** Page flags. */
export const PAGE_IN_LIST: u32 = 1 << 0; // linked into its class's list of pages with free slots

// Sizes that follow from the page size, set by pageGeometry() before the first heap is made.
let maxSlots: u32 = 0;
let bitmapWords: u32 = 0;
let freeBitmap: usize = 0; // offsets of the three arrays in a record
let pendingBitmap: usize = 0;
let sizeArray: usize = 0;
export let PAGE_RECORD_SIZE: usize = 0;

/** Computes the record layout for this machine's page size (idempotent). */
export function pageGeometry(): void {
  if (PAGE_RECORD_SIZE != 0) return;
  maxSlots = (<u32>pageSize - GAP_SIZE) / (SMALLEST_CLASS_SIZE + GAP_SIZE);
  bitmapWords = (maxSlots + 31) >> 5;
  freeBitmap = PAGE_HEADER;
  pendingBitmap = freeBitmap + <usize>bitmapWords * 4;
  sizeArray = pendingBitmap + <usize>bitmapWords * 4;
  PAGE_RECORD_SIZE = (sizeArray + <usize>maxSlots * 2 + 7) & ~7;
}

// @ts-ignore: decorator
@inline export function pageClass(page: usize): u32 { return load<u32>(page + CLASS); }
// @ts-ignore: decorator
@inline export function pageProtection(page: usize): u8 { return <u8>load<u32>(page + PROTECTION); }
// @ts-ignore: decorator
@inline export function pageFlags(page: usize): u32 { return load<u32>(page + FLAGS); }
// @ts-ignore: decorator
@inline export function pageArena(page: usize): u32 { return load<u32>(page + ARENA); }
// @ts-ignore: decorator
@inline export function pageNumber(page: usize): u32 { return load<u32>(page + NUMBER); }
// @ts-ignore: decorator
@inline export function pageOpen(page: usize): u32 { return load<u32>(page + OPEN); }
// @ts-ignore: decorator
@inline export function pageLive(page: usize): u32 { return load<u32>(page + LIVE); }
// @ts-ignore: decorator
@inline export function pageFree(page: usize): u32 { return load<u32>(page + FREE); }
// @ts-ignore: decorator
@inline export function pagePending(page: usize): u32 { return load<u32>(page + PENDING); }
// @ts-ignore: decorator
@inline export function pageSlots(page: usize): u32 { return load<u32>(page + SLOTS); }
// @ts-ignore: decorator
@inline export function pagePrev(page: usize): usize { return load<usize>(page + PREV); }
// @ts-ignore: decorator
@inline export function pageNext(page: usize): usize { return load<usize>(page + NEXT); }

// @ts-ignore: decorator
@inline export function setPageProtection(page: usize, protection: u8): void {
  store<u32>(page + PROTECTION, protection);
}
// @ts-ignore: decorator
@inline export function setPageFlags(page: usize, flags: u32): void { store<u32>(page + FLAGS, flags); }
// @ts-ignore: decorator
@inline export function setPageOpen(page: usize, count: u32): void { store<u32>(page + OPEN, count); }
// @ts-ignore: decorator
@inline export function setPagePrev(page: usize, prev: usize): void { store<usize>(page + PREV, prev); }
// @ts-ignore: decorator
@inline export function setPageNext(page: usize, next: usize): void { store<usize>(page + NEXT, next); }

/** The data size stored for slot `i` (valid while it is live or pending). */
// @ts-ignore: decorator
@inline export function slotDataSize(page: usize, i: u32): u32 { return load<u16>(page + sizeArray + <usize>i * 2); }

/** Sets a page record up as virgin: unformatted, NoAccess, no slots. */
export function initPage(page: usize, arena: u32, number: u32): void {
  memory.fill(page, 0, PAGE_RECORD_SIZE);
  store<u32>(page + CLASS, NO_CLASS);
  store<u32>(page + PROTECTION, NO_ACCESS);
  store<u32>(page + ARENA, arena);
  store<u32>(page + NUMBER, number);
}

/** Gives a page to class `c`: every slot free (its bytes must already hold the class's image). */
export function formatPage(page: usize, c: i32): void {
  const n = slotsPerPage(c);
  store<u32>(page + CLASS, <u32>c);
  store<u32>(page + SLOTS, n);
  store<u32>(page + LIVE, 0);
  store<u32>(page + PENDING, 0);
  store<u32>(page + FREE, n);
  store<u32>(page + CURSOR, 0);
  memory.fill(page + pendingBitmap, 0, <usize>bitmapWords * 4);
  memory.fill(page + freeBitmap, 0, <usize>bitmapWords * 4);
  for (let word: u32 = 0; word < (n >> 5); word++) store<u32>(page + freeBitmap + <usize>word * 4, 0xffffffff);
  if (n & 31) store<u32>(page + freeBitmap + <usize>(n >> 5) * 4, (<u32>1 << (n & 31)) - 1);
}

/**
 * Takes the first free slot at or after the page's cursor, which moves past it; the slot becomes
 * live with `size` data bytes. NO_SLOT (nothing changed) when every free slot lies behind the cursor.
 */
export function takeFreeSlot(page: usize, size: u32): u32 {
  const cursor = load<u32>(page + CURSOR);
  let word: u32 = cursor >> 5;
  if (word >= bitmapWords) return NO_SLOT;
  let bits = load<u32>(page + freeBitmap + <usize>word * 4) & (0xffffffff << (cursor & 31));
  while (bits == 0) {
    if (++word >= bitmapWords) return NO_SLOT;
    bits = load<u32>(page + freeBitmap + <usize>word * 4);
  }
  const bit = ctz(bits);
  const at = page + freeBitmap + <usize>word * 4;
  store<u32>(at, load<u32>(at) & ~(<u32>1 << bit)); // `bits` is masked by the cursor: clear from the word itself
  const slot = (word << 5) + bit;
  store<u32>(page + CURSOR, slot + 1);
  store<u16>(page + sizeArray + <usize>slot * 2, <u16>size);
  store<u32>(page + FREE, load<u32>(page + FREE) - 1);
  store<u32>(page + LIVE, load<u32>(page + LIVE) + 1);
  return slot;
}

/** Starts the page's next round: its cursor goes back to slot 0. */
export function rewindPage(page: usize): void { store<u32>(page + CURSOR, 0); }

/** Marks live slot `i` as freed but not yet wiped. */
export function markPending(page: usize, i: u32): void {
  const at = page + pendingBitmap + <usize>(i >> 5) * 4;
  store<u32>(at, load<u32>(at) | (<u32>1 << (i & 31)));
  store<u32>(page + LIVE, load<u32>(page + LIVE) - 1);
  store<u32>(page + PENDING, load<u32>(page + PENDING) + 1);
}

// @ts-ignore: decorator
@inline export function isPending(page: usize, i: u32): bool {
  return (load<u32>(page + pendingBitmap + <usize>(i >> 5) * 4) & (<u32>1 << (i & 31))) != 0;
}

// @ts-ignore: decorator
@inline export function isFree(page: usize, i: u32): bool {
  return (load<u32>(page + freeBitmap + <usize>(i >> 5) * 4) & (<u32>1 << (i & 31))) != 0;
}

/** Marks pending slot `i` as wiped and free again. */
export function markWiped(page: usize, i: u32): void {
  const pendingAt = page + pendingBitmap + <usize>(i >> 5) * 4;
  const freeAt = page + freeBitmap + <usize>(i >> 5) * 4;
  const bit = <u32>1 << (i & 31);
  store<u32>(pendingAt, load<u32>(pendingAt) & ~bit);
  store<u32>(freeAt, load<u32>(freeAt) | bit);
  store<u16>(page + sizeArray + <usize>i * 2, 0);
  store<u32>(page + PENDING, load<u32>(page + PENDING) - 1);
  store<u32>(page + FREE, load<u32>(page + FREE) + 1);
}

/** Marks a live slot as wiped and free at once (forced teardown paths only). */
export function markLiveWiped(page: usize, i: u32): void {
  const freeAt = page + freeBitmap + <usize>(i >> 5) * 4;
  store<u32>(freeAt, load<u32>(freeAt) | (<u32>1 << (i & 31)));
  store<u16>(page + sizeArray + <usize>i * 2, 0);
  store<u32>(page + LIVE, load<u32>(page + LIVE) - 1);
  store<u32>(page + FREE, load<u32>(page + FREE) + 1);
}
