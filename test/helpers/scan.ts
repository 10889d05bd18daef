// Searching large files (core dumps of 1–20 GB, heap snapshots) for byte strings without reading
// them whole: fixed-size chunks, each searched for every needle, with an overlap of the longest
// needle minus one byte so that a match across a chunk boundary is still found.
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 16 * 1024 * 1024;

/** The byte forms a secret could take in memory: raw, either half, lowercase hex, base64. */
export function needleForms(name: string, bytes: Uint8Array): Array<[string, Buffer]> {
  const raw = Buffer.from(bytes);
  const half = raw.length >> 1;
  return [
    [`${name} raw`, raw],
    [`${name} first half`, raw.subarray(0, half)],
    [`${name} second half`, raw.subarray(half)],
    [`${name} hex`, Buffer.from(raw.toString('hex'))],
    [`${name} base64`, Buffer.from(raw.toString('base64'))],
  ];
}

/** Where each needle occurs in the file (file offsets, each match once), and how many bytes were read. */
export function scanFile(
  path: string,
  needles: Array<[string, Uint8Array]>,
): { found: Map<string, number[]>; bytes: number } {
  const overlap = Math.max(...needles.map(([, needle]) => needle.length)) - 1;
  const buffer = Buffer.alloc(CHUNK + overlap);
  const found = new Map<string, number[]>();
  const fd = openSync(path, 'r');
  let position = 0; // file offset of the next read
  let carried = 0; // bytes at the front of `buffer` kept from the previous chunk
  try {
    for (;;) {
      const read = readSync(fd, buffer, carried, CHUNK, position);
      if (read <= 0) break;
      const window = buffer.subarray(0, carried + read);
      const base = position - carried; // file offset of window[0]
      for (const [name, needle] of needles) {
        // Matches wholly inside the carried bytes were found in the previous chunk.
        for (let at = window.indexOf(needle); at >= 0; at = window.indexOf(needle, at + 1)) {
          if (at + needle.length <= carried) continue;
          const offsets = found.get(name) ?? [];
          offsets.push(base + at);
          found.set(name, offsets);
        }
      }
      position += read;
      carried = Math.min(overlap, window.length);
      window.copy(buffer, 0, window.length - carried);
    }
  } finally {
    closeSync(fd);
  }
  return { found, bytes: position };
}
