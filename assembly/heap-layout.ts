// The secure heap's size classes and the layout of one heap page: pure arithmetic, no host calls.
//
// A heap page belongs to one size class c. Its slots have s = classSize(c) bytes and follow each
// other at a stride S = s + GAP, with a canary gap before the first slot and after every slot:
//
//  0     GAP        GAP+S      GAP+2S                   GAP+n·S                  pageSize
//  ┌─────┬──────────┬─────┬──────────┬─────┬─ … ─┬──────────┬─────┬──────────────┐
//  │ gap │ slot 0   │ gap │ slot 1   │ gap │     │ slot n-1 │ gap │ tail         │
//  │ ccc │ data▸ 00 │ ccc │ 00000000 │ ccc │     │ data▸ 00 │ ccc │ 0000         │
//  └─────┴──────────┴─────┴──────────┴─────┴─ … ─┴──────────┴─────┴──────────────┘
//   ccc    GAP (16) bytes of the per-process canary pattern (canary.ts), checked when a
//          neighbouring slot is wiped
//   data▸  a live secret: it starts at its slot's start (so it is 16-byte aligned)
//   00     zero: a live slot's slack behind its data, every free slot, and the tail
//   n      = (pageSize - GAP) / S slots; a slot never straddles two pages
//
// THE INVARIANT: every byte of a formatted page that is not live secret data equals the page's
// "image" (gaps = pattern, everything else = WIPE_BYTE, which is zero). So a freed slot is wiped
// by setting its data bytes to WIPE_BYTE, a whole run of freed slots is then checked with one
// read, and any stray write into a gap, a slack or a free slot shows up as a difference from the
// image. A virgin page (fresh from
// the kernel) is all zero and gets its image written when a class first takes it.
import { canaryPattern } from "./canary";
import { pageSize } from "./machine";
import { WIPE_BYTE } from "./wipe-policy";

/** Canary gap between slots: GAP_SIZE = 1 << GAP_BITS bytes. */
export const GAP_BITS: u32 = 4;
export const GAP_SIZE: u32 = 1 << GAP_BITS;
export const GAP_MASK: u32 = GAP_SIZE - 1;

/** Number of size classes; sizes above the largest usable one get a dedicated region. */
export const CLASS_COUNT: i32 = 20;
/** The largest class: 1024 bytes (only where it fits a page with its two gaps). */
export const LARGEST_CLASS_SIZE: u32 = 1024;
/** The smallest class, which decides the most slots a page can have. */
export const SMALLEST_CLASS_SIZE: u32 = 16;
export const NO_CLASS: u32 = 0xffffffff;

/**
 * The class of a secret of `size` bytes (1..1024), or -1 if it is larger.
 *  16–128 in steps of 16 (classes 0–7), 160–256 by 32 (8–11), 320–512 by 64 (12–15),
 *  640–1024 by 128 (16–19): the slack is under a quarter of the slot beyond 128 bytes.
 */
export function classOf(size: u32): i32 {
  if (size <= 128) return <i32>((size + 15) >> 4) - 1;
  if (size <= 256) return 8 + <i32>((size - 128 + 31) >> 5) - 1;
  if (size <= 512) return 12 + <i32>((size - 256 + 63) >> 6) - 1;
  if (size <= 1024) return 16 + <i32>((size - 512 + 127) >> 7) - 1;
  return -1;
}

/** The slot size of class `c`. */
export function classSize(c: i32): u32 {
  if (c < 8) return <u32>(c + 1) << 4;
  if (c < 12) return 128 + (<u32>(c - 7) << 5);
  if (c < 16) return 256 + (<u32>(c - 11) << 6);
  return 512 + (<u32>(c - 15) << 7);
}

// @ts-ignore: decorator
@inline export function strideOf(c: i32): u32 { return classSize(c) + GAP_SIZE; }

/** Slots on a page of class `c`. */
export function slotsPerPage(c: i32): u32 {
  return (<u32>pageSize - GAP_SIZE) / strideOf(c);
}

/** Byte offset of slot `i` of a class-`c` page, from the page's start. */
// @ts-ignore: decorator
@inline export function slotOffset(c: i32, i: u32): u32 { return GAP_SIZE + i * strideOf(c); }

/** True if class `c` fits a page of this machine with a gap on both sides. */
export function classFits(c: i32): bool {
  return c >= 0 && c < CLASS_COUNT && <u64>classSize(c) + 2 * <u64>GAP_SIZE <= pageSize;
}

// Page images, built on first use: one page of bytes per class (no secret ever enters them).
let images: usize = 0; // CLASS_COUNT pointers

/** The image of a class-`c` page: the bytes every non-secret byte of such a page must hold. */
export function imageOf(c: i32): usize {
  if (images == 0) {
    images = heap.alloc(<usize>CLASS_COUNT * sizeof<usize>());
    memory.fill(images, 0, <usize>CLASS_COUNT * sizeof<usize>());
  }
  let image = load<usize>(images + <usize>c * sizeof<usize>());
  if (image != 0) return image;
  const page = <usize>pageSize;
  image = heap.alloc(page);
  memory.fill(image, WIPE_BYTE, page); // what a wiped slot, slack and free slot hold
  const pattern = canaryPattern();
  const n = slotsPerPage(c);
  const stride = strideOf(c);
  // Gap k sits at GAP + k·S - GAP = k·S for k = 0..n: a multiple of 16, so pattern[0..15] fits it.
  for (let k: u32 = 0; k <= n; k++) memory.copy(image + <usize>(k * stride), pattern, <usize>GAP_SIZE);
  store<usize>(images + <usize>c * sizeof<usize>(), image);
  return image;
}
