// Writing into heap pages that rest NoAccess: opening a span of pages and closing it again.
// Opening and closing a page costs two mprotects, so a batch (a format, a wipe) opens a whole
// span of pages with ONE call, does all its writes, and closes it again with one call per run of
// pages that share a protection (usually one): the cost per freed secret is a fill, not syscalls.
//
//  arena data pages   low                                high
//  ┌──────┬──────┬──────┬──────┬──────┬──────┬──────┬──────┐
//  │ ---  │ ---  │ rw-  │ r--  │ rw-  │ rw-  │ ---  │ ---  │   during a batch: [low, high) rw-
//  └──────┴──────┴──────┴──────┴──────┴──────┴──────┴──────┘
//                 └─ restored: rest at NoAccess, a page open for a use() at its recorded protection
import { OK, PROTECTION_FAILED } from "./status";
import { osFailure } from "./failure";
import { hostProtect, OP_PROTECT } from "./host";
import { pageSize } from "./machine";
import { NO_ACCESS, READ_WRITE } from "./protection";
import { pageProtection, setPageProtection, pageOpen } from "./heap-pages";
import { arenaHostId, pageAt, pageOffset } from "./heap-arenas";

/** Opens pages [low, high) of an arena for writing, with one call. Returns OK or a status. */
export function openSpan(arena: u32, low: u32, high: u32): i32 {
  const length = <f64>(<u64>(high - low) * pageSize);
  const error = hostProtect(arenaHostId(arena), <f64>pageOffset(arena, low), length, READ_WRITE);
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

