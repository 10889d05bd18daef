// Looking at secret memory without memshield's help: /proc/self/mem reads pages whatever their
// protection (the kernel reads them with FOLL_FORCE), so a test can see NoAccess bytes without
// opening them, and /proc/self/smaps says what the kernel has.
import { closeSync, openSync, readSync } from 'node:fs';
import { readSmaps, overlapping, type SmapsEntry } from '../helpers/kernel.js';
import type { MemoryBacking } from '../../src/levels.js';
import { nativeHost } from '../../src/default-memory.js';

/** `length` bytes at `address` of this process, read through /proc/self/mem. */
export function peek(address: bigint, length: number): Uint8Array {
  const target = new Uint8Array(length);
  const fd = openSync('/proc/self/mem', 'r');
  try {
    const read = readSync(fd, target, 0, length, address);
    if (read !== length) throw new Error(`/proc/self/mem gave ${read} of ${length} bytes at 0x${address.toString(16)}`);
  } finally {
    closeSync(fd);
  }
  return target;
}

/** The smaps entries over [address, address + length). */
export function kernelEntries(address: bigint, length: number): SmapsEntry[] {
  return overlapping(readSmaps(), address, length);
}

/** The permissions the kernel has for the page(s) holding [address, address + length), e.g. ['---p']. */
export function permsAt(address: bigint, length: number): string[] {
  return kernelEntries(address, length).map((entry) => entry.perms);
}

/** True if `needle` occurs in `haystack` (a plain search: the control and the probe share it). */
export function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** A recognisable secret: `length` bytes that are not all alike and contain no zero. */
export function secretBytes(length: number, seed = 0x5a): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = ((seed + i * 37) % 255) + 1;
  return bytes;
}

/** The sharing letter smaps prints for a backing: `s` for secret memory (a shared mapping), `p` for private pages. */
export function sharingOf(backing: MemoryBacking): 's' | 'p' {
  return backing === 'secret-memory' ? 's' : 'p';
}

/** The sharing letter of the data pages SecureBuffer and SecureHeap get by default here (secretMemory 'preferred'). */
export const DEFAULT_SHARING = sharingOf(nativeHost().capabilities().secretMemory ? 'secret-memory' : 'anonymous');
