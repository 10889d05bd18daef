// Formatting heap pages for a size class: writing the class's image (heap-layout.ts) over a
// page that holds no secret, inside a span (heap-spans.ts), and linking it into the class list.
import { OK, FREE_FAILED } from './status';
import { osFailure } from './failure';
import { hostCoreIn, OP_COPY_IN } from './host';
import { pageSize } from './machine';
import { imageOf } from './heap-layout';
import { pageClass, formatPage } from './heap-pages';
import { arenaHostId, pageAt, pageOffset, arenaHeap, setArenaVirgin } from './heap-arenas';
import { addClassPages } from './heap-records';
import { openSpan, restoreSpan } from './heap-spans';
import { pushPage, unlinkPage } from './heap-page-lists';

/** Writes class `c`'s image over a whole page (the page must hold no secret and be writable). */
export function writeImage(arena: u32, number: u32, c: i32): i32 {
  const error = hostCoreIn(arenaHostId(arena), <f64>pageOffset(arena, number), <f64>pageSize, imageOf(c));
  return error ? osFailure(FREE_FAILED, OP_COPY_IN, error) : OK;
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
