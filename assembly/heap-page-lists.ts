// Each heap keeps, per size class, a doubly linked list of its pages that have a free slot
// (through the page records' prev/next fields). Allocation takes from the head.
import { pageClass, pageFlags, setPageFlags, pagePrev, pageNext, setPagePrev, setPageNext, PAGE_IN_LIST } from "./heap-pages";
import { classHead, setClassHead } from "./heap-records";

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

