// The page table as /proc/self/smaps would print it: one entry per VMA (a run of pages with equal
// protection and flags), with the permissions and the VmFlags mnemonics Linux uses, in its order.
import type { KernelRange } from '../types.js';
import {
  PAGE_ACCOUNTED,
  PAGE_DONTDUMP,
  PAGE_DONTFORK,
  PAGE_HUGEPAGE,
  PAGE_LOCKED,
  PAGE_SECRET,
  type Mapping,
  type PageTable,
} from './page-table.js';
import { PROTECTION_BITS } from './vma.js';

/** VmFlags of one VMA, in the kernel's order (rd wr ex sh mr mw me ms lo dc de ac ht dd hg). */
function vmFlags(mapping: Mapping, protection: number, flags: number): string[] {
  const rwx = PROTECTION_BITS[protection];
  const words: string[] = [];
  if (rwx[0] === 'r') words.push('rd');
  if (rwx[1] === 'w') words.push('wr');
  if (rwx[2] === 'x') words.push('ex');
  // A private anonymous mapping may always be reopened (mr mw me); secret memory is a shared
  // mapping of a noexec file (sh mr mw ms: may share, never execute).
  if (flags & PAGE_SECRET) words.push('sh', 'mr', 'mw', 'ms');
  else words.push('mr', 'mw', 'me');
  if (flags & PAGE_LOCKED) words.push('lo');
  if (flags & PAGE_DONTFORK) words.push('dc');
  if (mapping.huge) words.push('de');
  if (flags & PAGE_ACCOUNTED) words.push('ac');
  if (mapping.huge) words.push('ht');
  if (flags & PAGE_DONTDUMP) words.push('dd');
  if (flags & PAGE_HUGEPAGE) words.push('hg');
  return words;
}

/** The VMAs of one mapping. */
export function vmasOf(mapping: Mapping, pageSize: number): KernelRange[] {
  const ranges: KernelRange[] = [];
  let page = 0;
  while (page < mapping.protection.length) {
    const protection = mapping.protection[page];
    const flags = mapping.flags[page];
    let end = page;
    let resident = 0;
    while (end < mapping.protection.length && mapping.protection[end] === protection && mapping.flags[end] === flags) {
      resident += mapping.resident[end];
      end++;
    }
    const residentBytes = resident * pageSize;
    ranges.push({
      start: mapping.address + BigInt(page * pageSize),
      end: mapping.address + BigInt(end * pageSize),
      permissions: `${PROTECTION_BITS[protection]}${flags & PAGE_SECRET ? 's' : 'p'}`,
      flags: vmFlags(mapping, protection, flags),
      lockedBytes: flags & PAGE_LOCKED ? residentBytes : 0,
      residentBytes,
    });
    page = end;
  }
  return ranges;
}

/** The VMAs overlapping [address, address + length), whole, in address order (as host/smaps.ts). */
export function kernelViewOf(table: PageTable, address: bigint, length: number): KernelRange[] {
  const end = address + BigInt(length);
  const ranges: KernelRange[] = [];
  for (const mapping of table.mappings()) {
    if (mapping.address >= end || mapping.address + BigInt(mapping.length) <= address) continue;
    for (const range of vmasOf(mapping, table.settings.pageSize)) {
      if (range.start < end && range.end > address) ranges.push(range);
    }
  }
  return ranges;
}
