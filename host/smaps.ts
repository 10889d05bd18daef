// Reads the kernel's own account of mappings from /proc/self/smaps (Linux).
import { readKernelText } from './runtime-refusal.js';
import type { KernelRange, Protection } from './types.js';

/** How smaps prints each protection level for a private mapping (the `p`). */
export const SMAPS_PERMISSIONS: Readonly<Record<keyof typeof Protection, string>> = {
  NoAccess: '---p',
  ReadOnly: 'r--p',
  ReadWrite: 'rw-p',
  Execute: '--xp',
  ReadExecute: 'r-xp',
  ReadWriteExecute: 'rwxp',
};

// An entry header: `7f12a0000000-7f12a0003000 rw-p 00000000 00:00 0   [path]`.
const HEADER = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) /;

/** Parses smaps text into ranges (every entry). */
export function parseSmaps(text: string): KernelRange[] {
  const ranges: KernelRange[] = [];
  let current: KernelRange | undefined;
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line);
    if (header) {
      current = {
        start: BigInt(`0x${header[1]}`),
        end: BigInt(`0x${header[2]}`),
        permissions: header[3],
        flags: [],
        lockedBytes: 0,
        residentBytes: 0,
      };
      ranges.push(current);
    } else if (current) {
      if (line.startsWith('VmFlags:')) current.flags = line.slice(8).trim().split(/\s+/);
      else if (line.startsWith('Locked:')) current.lockedBytes = kilobytes(line);
      else if (line.startsWith('Rss:')) current.residentBytes = kilobytes(line);
    }
  }
  return ranges;
}

function kilobytes(line: string): number {
  return Number.parseInt(line.replace(/^\S+:\s*/, ''), 10) * 1024;
}

/**
 * The smaps entries that overlap [address, address + length), whole (their `Locked` and `Rss`
 * are per entry). Found by overlap, not by exact bounds: the kernel merges and splits mappings.
 */
export function kernelRangesOf(address: bigint, length: number, smapsText?: string): KernelRange[] {
  const text = smapsText ?? readKernelText('/proc/self/smaps');
  const end = address + BigInt(length);
  return parseSmaps(text).filter((range) => range.start < end && range.end > address);
}
