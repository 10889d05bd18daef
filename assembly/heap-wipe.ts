// Writing into heap pages that rest NoAccess: formatting pages for a class, and wiping freed
// slots in batches. Opening and closing a page costs two mprotects, so a batch opens a whole span
// of pages with ONE call, does all its writes, and closes it again with one call per run of
// pages that share a protection (usually one): the cost per freed secret is a fill, not syscalls.
//
//  arena data pages   low                                high
//  ┌──────┬──────┬──────┬──────┬──────┬──────┬──────┬──────┐
//  │ ---  │ ---  │ rw-  │ r--  │ rw-  │ rw-  │ ---  │ ---  │   during a batch: [low, high) rw-
//  └──────┴──────┴──────┴──────┴──────┴──────┴──────┴──────┘
//                 └─ restored: rest at NoAccess, a page open for a use() at its recorded protection
import { OK, PROTECTION_FAILED, FREE_FAILED } from "./status";
import { osFailure } from "./failure";
import { hostProtect, hostFill, hostCoreIn, hostCoreOut, OP_PROTECT, OP_FILL, OP_COPY_IN } from "./host";
import { pageSize } from "./machine";
import { NO_ACCESS, READ_WRITE } from "./protection";
import { GAP_SIZE, imageOf, slotOffset, strideOf } from "./heap-layout";
import {
  pageClass, pageProtection, setPageProtection, pageOpen, pageSlots, pageFree, pageFlags, setPageFlags,
  pagePrev, pageNext, setPagePrev, setPageNext, slotDataSize, isPending, markWiped, formatPage, PAGE_IN_LIST,
} from "./heap-pages";
import { arenaHostId, pageAt, pageOffset, addArenaPending, arenaHeap, setArenaVirgin } from "./heap-arenas";
import { classHead, setClassHead, addHeapPending, recordDamage, addClassPages } from "./heap-records";

const CHUNK: usize = 4096; // bytes read back per host call when checking
let scratch: usize = 0;

// ── Class lists ──────────────────────────────────────────────────────────────────────────────

/** Links a page into its heap's list for its class (pages with a free slot). */
export function pushPage(h: u32, page: usize): void {
  if (pageFlags(page) & PAGE_IN_LIST) return;
  const c = <i32>pageClass(page);
  const head = classHead(h, c);
  setPagePrev(page, 0);
  setPageNext(page, head);
  if (head != 0) setPagePrev(head, page);
  setClassHead(h, c, page);
  setPageFlags(page, pageFlags(page) | PAGE_IN_LIST);
}

/** Unlinks a page from its class list. */
export function unlinkPage(h: u32, page: usize): void {
  if (!(pageFlags(page) & PAGE_IN_LIST)) return;
  const c = <i32>pageClass(page);
  const prev = pagePrev(page);
  const next = pageNext(page);
  if (prev != 0) setPageNext(prev, next); else setClassHead(h, c, next);
  if (next != 0) setPagePrev(next, prev);
  setPagePrev(page, 0);
  setPageNext(page, 0);
  setPageFlags(page, pageFlags(page) & ~PAGE_IN_LIST);
}

// ── Spans ────────────────────────────────────────────────────────────────────────────────────

/** Opens pages [low, high) of an arena for writing, with one call. Returns OK or a status. */
export function openSpan(arena: u32, low: u32, high: u32): i32 {
  const error = hostProtect(arenaHostId(arena), <f64>pageOffset(arena, low), <f64>(<u64>(high - low) * pageSize), READ_WRITE);
  return error ? osFailure(PROTECTION_FAILED, OP_PROTECT, error) : OK;
}

/** The protection a page must have now: its recorded one while open, else NoAccess. */
// @ts-ignore: decorator
@inline function dueProtection(page: usize): u8 {
  return pageOpen(page) > 0 ? pageProtection(page) : NO_ACCESS;
}

/**
 * Closes pages [low, high) after openSpan: one call per run of pages due the same protection.
 * A page whose call fails is recorded as ReadWrite (what the kernel has); the first error wins.
 */
export function restoreSpan(arena: u32, low: u32, high: u32): i32 {
  let status = OK;
  let start = low;
  while (start < high) {
    const due = dueProtection(pageAt(arena, start));
    let end = start + 1;
    while (end < high && dueProtection(pageAt(arena, end)) == due) end++;
    let error: i32 = 0;
    if (due != READ_WRITE) {
      error = hostProtect(arenaHostId(arena), <f64>pageOffset(arena, start), <f64>(<u64>(end - start) * pageSize), due);
    }
    for (let number = start; number < end; number++) setPageProtection(pageAt(arena, number), error ? READ_WRITE : due);
    if (error && status == OK) status = osFailure(PROTECTION_FAILED, OP_PROTECT, error);
    start = end;
  }
  return status;
}

// ── Images ───────────────────────────────────────────────────────────────────────────────────

/** Writes class `c`'s image over a whole page (the page must hold no secret and be writable). */
export function writeImage(arena: u32, number: u32, c: i32): i32 {
  const error = hostCoreIn(arenaHostId(arena), <f64>pageOffset(arena, number), <f64>pageSize, imageOf(c));
  return error ? osFailure(FREE_FAILED, OP_COPY_IN, error) : OK;
}

/**
 * Compares page bytes [from, to) with the image (they must hold no secret: wipe first). Returns
 * the page offset of the first difference, or -1 if they match. No early exit inside a chunk.
 * A host error reads as a difference at `from` and is left in `imageReadError`.
 */
export let imageReadError: i32 = 0;
export function firstDifference(arena: u32, number: u32, c: i32, from: u32, to: u32): i32 {
  if (scratch == 0) scratch = heap.alloc(CHUNK);
  imageReadError = 0;
  const image = imageOf(c);
  const base = pageOffset(arena, number);
  let found: i32 = -1;
  let at = from;
  while (at < to && found < 0) {
    const step: u32 = to - at < <u32>CHUNK ? to - at : <u32>CHUNK;
    const error = hostCoreOut(arenaHostId(arena), <f64>(base + at), <f64>step, scratch);
    if (error) { imageReadError = error; found = <i32>at; break; }
    // Eight bytes at a time (ranges are multiples of 16 long), then any tail byte by byte.
    let difference: u64 = 0;
    const words = step & ~7;
    for (let i: u32 = 0; i < words; i += 8) difference |= load<u64>(scratch + i) ^ load<u64>(image + at + i);
    for (let i = words; i < step; i++) difference |= <u64>(load<u8>(scratch + i) ^ load<u8>(image + at + i));
    if (difference != 0) {
      for (let i: u32 = 0; i < step; i++) {
        if (load<u8>(scratch + i) != load<u8>(image + at + i)) { found = <i32>(at + i); break; }
      }
    }
    at += step;
  }
  memory.fill(scratch, 0, CHUNK);
  return found;
}

/** Puts the image back over page bytes [from, to) after damage (they hold no secret). */
export function repairImage(arena: u32, number: u32, c: i32, from: u32, to: u32): void {
  hostCoreIn(arenaHostId(arena), <f64>(pageOffset(arena, number) + from), <f64>(to - from), imageOf(c) + from);
}

// ── Wiping ───────────────────────────────────────────────────────────────────────────────────

/**
 * Wipes every pending slot of a writable page, run by run of neighbouring pending slots:
 *  1. zero each slot's data bytes (so what is read back next holds no secret),
 *  2. read [gap before the run, gap after it] back in one go and compare it with the image:
 *     gaps must hold the canary, slacks and wiped data zero; damage is recorded and repaired,
 *  3. mark the slots free.
 * Returns OK, or FREE_FAILED if a fill failed (the slots not yet wiped stay pending).
 */
export function wipePendingSlots(h: u32, arena: u32, number: u32): i32 {
  const page = pageAt(arena, number);
  const c = <i32>pageClass(page);
  const id = arenaHostId(arena);
  const base = pageOffset(arena, number);
  const slots = pageSlots(page);
  let i: u32 = 0;
  while (i < slots) {
    if (!isPending(page, i)) { i++; continue; }
    let j = i;
    while (j + 1 < slots && isPending(page, j + 1)) j++;
    for (let k = i; k <= j; k++) {
      const size = slotDataSize(page, k);
      const error = hostFill(id, <f64>(base + slotOffset(c, k)), <f64>size, 0);
      if (error) return osFailure(FREE_FAILED, OP_FILL, error);
    }
    const from = slotOffset(c, i) - GAP_SIZE;
    const to = slotOffset(c, j) + strideOf(c);
    const damage = firstDifference(arena, number, c, from, to);
    if (damage >= 0) {
      recordDamage(h, arena, base + <u64>damage);
      repairImage(arena, number, c, from, to);
    }
    for (let k = i; k <= j; k++) markWiped(page, k);
    const wiped = <i32>(j - i + 1);
    addArenaPending(arena, -wiped);
    addHeapPending(h, -wiped);
    i = j + 1;
  }
  if (pageFree(page) > 0) pushPage(h, page);
  return OK;
}

/**
 * Formats `count` virgin pages of an arena, from page `first`, for class `c` with one open and
 * one close: each gets the class image and joins the class list.
 */
export function formatVirginPages(arena: u32, first: u32, count: u32, c: i32): i32 {
  const h = arenaHeap(arena);
  let status = openSpan(arena, first, first + count);
  if (status != OK) return status;
  let formatted: u32 = 0;
  for (; formatted < count; formatted++) {
    status = writeImage(arena, first + formatted, c);
    if (status != OK) break;
  }
  const closed = restoreSpan(arena, first, first + count);
  setArenaVirgin(arena, first + formatted);
  for (let k: u32 = 0; k < formatted; k++) {
    const page = pageAt(arena, first + k);
    formatPage(page, c);
    pushPage(h, page);
  }
  addClassPages(h, c, <i32>formatted);
  // Pages that got their image count as formatted even if closing failed (they hold no secret).
  if (status == OK) status = closed;
  return status;
}

/** Gives an empty page of another class to class `c` (it holds no secret). */
export function reformatPage(arena: u32, number: u32, c: i32): i32 {
  const h = arenaHeap(arena);
  const page = pageAt(arena, number);
  const old = <i32>pageClass(page);
  let status = openSpan(arena, number, number + 1);
  if (status != OK) return status;
  status = writeImage(arena, number, c);
  if (status != OK) writeImage(arena, number, old); // undo: the old image keeps the page usable
  const closed = restoreSpan(arena, number, number + 1);
  if (status != OK) return status;
  unlinkPage(h, page);
  addClassPages(h, old, -1);
  formatPage(page, c);
  pushPage(h, page);
  addClassPages(h, c, 1);
  return closed;
}
