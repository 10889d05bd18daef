// The kernel's list of mappings that look like memshield's: anonymous or secret memory
// (`/secretmem`), excluded from core dumps (smaps VmFlags `dd`, which memshield sets on every
// Secure region, guards included; Node and V8 make no such mapping). The thread registry checks
// an entry it did not write against this list before it zeroes and unmaps the range.
//
// Read once per sweep, streamed through one reused buffer and parsed byte by byte: the whole
// text (about 1 kB per mapping) as one string, split into lines, left megabytes of garbage per
// sweep that V8 promoted into new old-space pages of the sweeping thread (measured: 88 more
// 256 kB heap mappings after 200 worker endings).
import { builtin } from './node-builtins.js';

/** [start, end) address runs, sorted and merged where adjacent (a region's guards and data join). */
export type AddressRuns = Array<[number, number]>;

const CHUNK_BYTES = 64 * 1024; // far longer than any smaps line (a path is at most 4 kB)
const NEWLINE = 0x0a;
const SPACE = 0x20;
const SECRET_MEMORY_NAME = '/secretmem (deleted)';
const VM_FLAGS = 'VmFlags:';

/** The value of a lowercase hex digit, or -1. */
function hexDigit(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  return -1;
}

/** Whether bytes[from, to) start with `text` (ASCII). */
function startsWith(bytes: Uint8Array, from: number, to: number, text: string): boolean {
  if (to - from < text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[from + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Whether the VmFlags line bytes[from, to) holds the two-letter flag `dd`. */
function hasDontDump(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from + VM_FLAGS.length; i + 1 < to; i++) {
    const flagStart = bytes[i - 1] === SPACE;
    const flagEnd = i + 2 === to || bytes[i + 2] === SPACE;
    if (flagStart && flagEnd && bytes[i] === 0x64 && bytes[i + 1] === 0x64) return true;
  }
  return false;
}

/**
 * An entry header `7f12a0000000-7f12a0003000 rw-p 00000000 00:00 0   [name]`: its range and
 * whether it is anonymous or secret memory; undefined if the line is not a header.
 */
function parseHeader(
  bytes: Uint8Array,
  from: number,
  to: number,
): { start: number; end: number; ours: boolean } | undefined {
  let i = from;
  let start = 0;
  let end = 0;
  // Addresses are below 2^47: exact in a double.
  for (let digit = hexDigit(bytes[i]); digit >= 0; digit = hexDigit(bytes[++i])) start = start * 16 + digit;
  if (i === from || bytes[i++] !== 0x2d) return undefined; // '-'
  for (let digit = hexDigit(bytes[i]); digit >= 0; digit = hexDigit(bytes[++i])) end = end * 16 + digit;
  // Skip the range and four more fields (permissions, offset, device, inode), then the padding.
  for (let field = 0; field < 5; field++) {
    while (i < to && bytes[i] !== SPACE) i++;
    while (i < to && bytes[i] === SPACE) i++;
  }
  const nameLength = to - i;
  const ours =
    nameLength === 0 || (nameLength === SECRET_MEMORY_NAME.length && startsWith(bytes, i, to, SECRET_MEMORY_NAME));
  return { start, end, ours };
}

/**
 * The runs of memshield-like mappings in /proc/self/smaps (see above), or undefined if it cannot
 * be read (EMFILE near the fd limit, no /proc): the caller then cannot tell, and waits.
 */
export function readDumpExcludedRuns(): AddressRuns | undefined {
  const fs = builtin('node:fs');
  let fd: number;
  try {
    fd = fs.openSync('/proc/self/smaps', 'r');
  } catch {
    return undefined;
  }
  const runs: AddressRuns = [];
  const bytes = new Uint8Array(CHUNK_BYTES);
  let current: { start: number; end: number; ours: boolean } | undefined;
  const line = (from: number, to: number) => {
    // field lines start with a capital
    const header = hexDigit(bytes[from]) >= 0 ? parseHeader(bytes, from, to) : undefined;
    if (header) {
      current = header;
      return;
    }
    if (!current || !startsWith(bytes, from, to, VM_FLAGS)) return;
    if (current.ours && hasDontDump(bytes, from, to)) {
      const last = runs.at(-1);
      if (last && last[1] === current.start) last[1] = current.end;
      else runs.push([current.start, current.end]);
    }
    current = undefined;
  };
  try {
    let filled = 0;
    for (;;) {
      const read = fs.readSync(fd, bytes, filled, CHUNK_BYTES - filled, null);
      const end = filled + read;
      let from = 0;
      for (let at = bytes.indexOf(NEWLINE, from); at >= 0 && at < end; at = bytes.indexOf(NEWLINE, from)) {
        line(from, at);
        from = at + 1;
      }
      if (read === 0) {
        if (from < end) line(from, end);
        return runs;
      }
      bytes.copyWithin(0, from, end); // the unfinished line goes first
      filled = end - from;
      if (filled === CHUNK_BYTES) return undefined; // a line longer than the buffer: not smaps as we know it
    }
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}
