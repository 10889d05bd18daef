// What the kernel says about the soak process: one /proc/self/smaps read per checkpoint (parsed
// into entries looked up by address), and the totals compared with the baseline at the end.
import { readFileSync } from 'node:fs';

/** /proc/self/smaps as entries: start, end (bigint), perms, path, flags (Set), locked, rss. */
export function readSmaps() {
  const entries = [];
  let current;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      current = {
        start: BigInt(`0x${header[1]}`),
        end: BigInt(`0x${header[2]}`),
        perms: header[3],
        path: header[4].trim(),
        flags: new Set(),
        locked: 0,
        rss: 0,
      };
      entries.push(current);
    } else if (current) {
      if (line.startsWith('VmFlags:')) current.flags = new Set(line.slice(8).trim().split(/\s+/));
      else if (line.startsWith('Locked:')) current.locked = Number.parseInt(line.slice(7), 10) * 1024;
      else if (line.startsWith('Rss:')) current.rss = Number.parseInt(line.slice(4), 10) * 1024;
    }
  }
  return entries;
}

/** The entries overlapping [address, address + length) (found by overlap: the kernel merges and splits). */
export function overlapping(entries, address, length) {
  const end = address + BigInt(length);
  return entries.filter((entry) => entry.start < end && entry.end > address);
}

const statusField = (text, key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;

/** The totals a leak would move: mappings, locked bytes, RSS, and memshield's own kinds of entries. */
export function kernelTotals() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const smaps = readSmaps();
  return {
    maps: smaps.length,
    vmLocked: statusField(status, 'VmLck'),
    rss: statusField(status, 'VmRSS'),
    // Node makes no dump-excluded anonymous mapping and no secret memory: these are memshield's.
    dontDumpEntries: smaps.filter((entry) => entry.path === '' && entry.flags.has('dd')).length,
    secretMemoryEntries: smaps.filter((entry) => entry.path.startsWith('/secretmem')).length,
  };
}
