// VMAs of a simulated mapping: the runs of pages with equal protection and flags, as the kernel
// splits a mapping into vm_area_structs. Pure functions over a mapping's per-page arrays.
import { Protection } from '../types.js';
import type { Mapping } from './page-table.js';

/** Captured at load, as in the rest of the simulated host. */
const NativeUint8Array = Uint8Array;

/** A page range of one mapping, as the kernel resolves (address, length) against it. */
export interface PageRange {
  first: number; // first page inside the mapping
  end: number; // page after the last one inside the mapping
  requested: number; // pages asked for, including any past the mapping's end
  /** The range runs past the mapping's end: the kernel meets a hole there (ENOMEM). */
  hole: boolean;
}

/** The protection codes (and their rwx bits, for smaps-style permissions). */
export const PROTECTION_BITS: Readonly<Record<number, string>> = {
  [Protection.NoAccess]: '---',
  [Protection.ReadOnly]: 'r--',
  [Protection.ReadWrite]: 'rw-',
  [Protection.Execute]: '--x',
  [Protection.ReadExecute]: 'r-x',
  [Protection.ReadWriteExecute]: 'rwx',
};

/** Pages in [first, end) with `flag` set. */
export function countFlag(mapping: Mapping, first: number, end: number, flag: number): number {
  let count = 0;
  for (let page = first; page < end; page++) if (mapping.flags[page] & flag) count++;
  return count;
}

/** For each page of the range: whether the VMA holding it has had any page faulted in. */
export function faultedVmas(mapping: Mapping, range: PageRange): Uint8Array {
  const faulted = new NativeUint8Array(range.end - range.first);
  const key = (page: number) => (mapping.protection[page] << 8) | mapping.flags[page];
  let start = range.first;
  while (start > 0 && key(start - 1) === key(range.first)) start--;
  while (start < range.end) {
    let end = start;
    let any = 0;
    while (end < mapping.protection.length && key(end) === key(start)) any |= mapping.resident[end++];
    for (let page = Math.max(start, range.first); page < Math.min(end, range.end); page++)
      faulted[page - range.first] = any;
    start = end;
  }
  return faulted;
}

/** Runs of equal (protection, flags) in a mapping, optionally as they would be after `change`. */
export function vmaRuns(
  mapping: Mapping,
  range?: PageRange,
  change?: (page: number) => readonly [number, number],
): number {
  let runs = 0;
  let previous = -1;
  for (let page = 0; page < mapping.protection.length; page++) {
    const changed = range && change && page >= range.first && page < range.end ? change(page) : undefined;
    const key = changed ? (changed[0] << 8) | changed[1] : (mapping.protection[page] << 8) | mapping.flags[page];
    if (key !== previous) runs++;
    previous = key;
  }
  return runs;
}
