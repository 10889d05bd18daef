// Each heap keeps, per size class, a doubly linked list of its pages that have a free slot
// (through the page records' prev/next fields). Allocation takes from the head; a page joins at
// the tail, and a page whose free slots all lie behind its cursor (heap-pages.ts) moves to the
// tail: slots are handed out round the list and round each page, so a freed slot is reused as late
// as possible (FIFO) and a view kept past its scope meets a new secret there as late as possible.
//
//  class list   head                                   tail
//               ┌──────┐ next ┌──────┐ next ┌──────┐
//               │page A│ ───► │page B│ ───► │page C│ ◄── a page regaining a free slot joins here
//               └──────┘ ◄─── └──────┘ ◄─── └──────┘
//                  ▲ alloc takes A's next free slot at or after its cursor
import {
  pageClass,
  pageFlags,
  setPageFlags,
  pagePrev,
  pageNext,
  setPagePrev,
  setPageNext,
  PAGE_IN_LIST,
} from './heap-pages';
import { setClassHead, classTail, setClassTail } from './heap-records';

/** Links a page in at the tail of its heap's list for its class (pages with a free slot). */
export function pushPage(h: u32, page: usize): void {
  if (pageFlags(page) & PAGE_IN_LIST) return;
  const c = <i32>pageClass(page);
  const tail = classTail(h, c);
  setPagePrev(page, tail);
  setPageNext(page, 0);
  if (tail != 0) setPageNext(tail, page);
  else setClassHead(h, c, page);
  setClassTail(h, c, page);
  setPageFlags(page, pageFlags(page) | PAGE_IN_LIST);
}

/** Unlinks a page from its class list. */
export function unlinkPage(h: u32, page: usize): void {
  if (!(pageFlags(page) & PAGE_IN_LIST)) return;
  const c = <i32>pageClass(page);
  const prev = pagePrev(page);
  const next = pageNext(page);
  if (prev != 0) setPageNext(prev, next);
  else setClassHead(h, c, next);
  if (next != 0) setPagePrev(next, prev);
  else setClassTail(h, c, prev);
  setPagePrev(page, 0);
  setPageNext(page, 0);
  setPageFlags(page, pageFlags(page) & ~PAGE_IN_LIST);
}

/** Moves a listed page to the tail of its class list (its turn is over until the others had theirs). */
export function sendToBack(h: u32, page: usize): void {
  unlinkPage(h, page);
  pushPage(h, page);
}
