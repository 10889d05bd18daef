// Wiping freed heap slots, and checking the canary gaps around them while at it. Which slots
// are wiped when, and how many at once, is the wipe policy (src/wipe-policy.ts and
// assembly/wipe-policy.ts); this file only does it. Pages rest NoAccess, so a wipe runs inside a
// span the caller opened (heap-spans.ts).
import { OK, FREE_FAILED } from './status';
import { osFailure } from './failure';
import { hostFill, hostCoreIn, hostCoreOut, OP_FILL } from './host';
import { GAP_SIZE, imageOf, slotOffset, strideOf } from './heap-layout';
import { pageClass, pageSlots, pageFree, slotDataSize, isPending, markWiped } from './heap-pages';
import { arenaHostId, pageAt, pageOffset, addArenaPending } from './heap-arenas';
import { addHeapPending, recordDamage } from './heap-records';
import { pushPage } from './heap-page-lists';
import { WIPE_BYTE } from './wipe-policy';

const CHUNK: usize = 4096; // bytes read back per host call when checking
let scratch: usize = 0;

/**
 * Compares page bytes [from, to) with the image (they must hold no secret: wipe first). The image
 * is what a wiped page holds — the canary in the gaps, WIPE_BYTE everywhere else — so the check
 * follows the wipe pattern instead of assuming zero. Returns
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
    if (error) {
      imageReadError = error;
      found = <i32>at;
      break;
    }
    // Eight bytes at a time (ranges are multiples of 16 long), then any tail byte by byte.
    let difference: u64 = 0;
    const words = step & ~7;
    for (let i: u32 = 0; i < words; i += 8) difference |= load<u64>(scratch + i) ^ load<u64>(image + at + i);
    for (let i = words; i < step; i++) difference |= <u64>(load<u8>(scratch + i) ^ load<u8>(image + at + i));
    if (difference != 0) {
      for (let i: u32 = 0; i < step; i++) {
        if (load<u8>(scratch + i) != load<u8>(image + at + i)) {
          found = <i32>(at + i);
          break;
        }
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
 *  1. set each slot's data bytes to WIPE_BYTE (so what is read back next holds no secret),
 *  2. read [gap before the run, gap after it] back in one go and compare it with the image:
 *     gaps must hold the canary, slacks and wiped data WIPE_BYTE; damage is recorded and repaired,
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
    if (!isPending(page, i)) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < slots && isPending(page, j + 1)) j++;
    for (let k = i; k <= j; k++) {
      const size = slotDataSize(page, k);
      const error = hostFill(id, <f64>(base + slotOffset(c, k)), <f64>size, WIPE_BYTE);
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
