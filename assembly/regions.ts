// The region table: one fixed-size record per region, in a handle table (handle-table.ts), so a
// handle is (slot, generation) and a freed region's old handles read as freed.
//
//  record   0        4        8        12   13   14   15   16            24
//           ├────────┼────────┼────────┼────┼────┼────┼────┼─────────────┼──── … ──┐
//           │ gener- │ link   │ flags  │type│prot│page│ —  │ size (u64)  │ align,  │
//           │ ation  │ (table)│        │    │    │kind│    │             │ lengths │
//           └────────┴────────┴────────┴────┴────┴────┴────┴─────────────┴──── … ──┘
//           24 align · 32 mappingLength · 40 dataPagesOffset · 48 dataPagesLength
//           56 dataOffset · 64 granule · 72 host id · 76 —
//           80 writtenLow · 88 writtenHigh: the mapping bytes [low, high) ever written with data
//              (high == 0: none). A Regular or LargePage region's wipes cover only these and the
//              canary slack: a page never written holds the kernel's zeros, and writing zeros over
//              it would only fault it in. (Secure regions are committed whole, and wiped whole.)
import { HandleTable, HEADER_SIZE } from "./handle-table";

export const RECORD_SIZE: usize = 96;
const FLAGS: usize = HEADER_SIZE;
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
const HOST_ID: usize = 72;
const WRITTEN_LOW: usize = 80;
const WRITTEN_HIGH: usize = 88;

// Record flags.
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

const regions = new HandleTable(RECORD_SIZE, 64, true);

// @ts-ignore: decorator
@inline function recordOf(slot: u32): usize { return regions.recordOf(slot); }

// @ts-ignore: decorator
@inline export function generationOf(slot: u32): u32 { return regions.generationOf(slot); }
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
@inline export function setProtection(slot: u32, protection: u8): void {
  store<u8>(recordOf(slot) + PROTECTION, protection);
}

/** Number of region records ever used: live ones are below this. */
export function regionSlotCount(): u32 { return regions.count(); }

// @ts-ignore: decorator
@inline export function regionIsLive(slot: u32): bool { return regions.isLive(slot); }

/** Total live regions. */
export function liveRegions(): u32 { return regions.live(); }

/** Takes a slot (reusing a freed one first) and fills its record; the generation is kept. */
export function claimSlot(
  hostId: i32, flags: u32, type: u8, protection: u8, pageKind: u8, size: u64, align: u64,
  mappingLength: u64, dataPagesOffset: u64, dataPagesLength: u64, dataOffset: u64, granule: u64,
): u32 {
  const slot = regions.claim();
  const record = recordOf(slot);
  store<i32>(record + HOST_ID, hostId);
  store<u32>(record + FLAGS, flags);
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
  store<u64>(record + WRITTEN_LOW, 0);
  store<u64>(record + WRITTEN_HIGH, 0);
  return slot;
}

/** Releases a slot; its generation moves on so old handles read as freed. */
export function releaseSlot(slot: u32): void {
  const record = recordOf(slot);
  store<u32>(record + FLAGS, 0);
  store<i32>(record + HOST_ID, -1);
  regions.release(slot);
}

/** Classifies a handle; changes nothing. */
export function checkHandle(slot: u32, generation: u32): i32 {
  return regions.check(slot, generation);
}
