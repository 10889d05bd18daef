// Freed memory is zero before it goes back to the kernel, on the real Linux host. A child frees
// secrets of every kind through a witness host (test/fixtures/witness-host.mjs) that copies each
// mapping out just before munmap — in-process, which reaches secret memory too, and through
// /proc/self/mem as another process would — and each wiped range just before its wipe: the
// control, which must show the secret, or the check after it proves nothing. purge() is one of the
// ways to free (nothing disposed: it alone wipes and unmaps them).
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/leaks-after-free.mjs', import.meta.url));

interface Findings {
  wipes: number;
  unmaps: number;
  markersBeforeWipe: boolean[];
  markersBeforeWipeViaProcMem: boolean[];
  nonZeroBytesAtUnmap: number;
  markersAtUnmap: boolean[];
  procMemAtUnmap: Array<{ pages: number; refused: number; error?: string; zero: boolean }>;
}
interface Report {
  secretMemory: boolean;
  pageSize: number;
  results: Record<string, Findings>;
}

let report: Report;
beforeAll(async () => {
  const child = await run(process.execPath, [FIXTURE]);
  expect(child.status, child.stderr).toBe(0);
  report = lastJson<Report>(child);
});

const ORDINARY = [
  'SecureBuffer (ordinary pages)',
  'SecureHeap: slots freed, flushed, destroyed (ordinary pages)',
  'PlatformMemory Secure region (ordinary pages)',
  'PlatformMemory Regular region',
  'PlatformMemory guarded region',
  "purge(): a SecureBuffer and a SecureHeap's slot and dedicated region, live (ordinary pages)",
];
const SECRET = [
  'SecureBuffer (secret memory)',
  'SecureHeap: slots freed, flushed, destroyed (secret memory)',
  'PlatformMemory Secure region (secret memory)',
  "purge(): a SecureBuffer and a SecureHeap's slot and dedicated region, live (secret memory)",
];

describe('freed memory, just before munmap (Linux)', () => {
  it('ran every kind of secret, in secret memory too where this machine has it', () => {
    const expected = report.secretMemory ? [...SECRET, ...ORDINARY] : ORDINARY;
    expect(Object.keys(report.results).sort()).toEqual([...expected].sort());
  });

  it.each([...ORDINARY, ...SECRET])(
    '%s: the secret was there just before its wipe (the control), and every byte of the mapping is zero at munmap',
    (name) => {
      const found = report.results[name];
      if (!found) return expect(report.secretMemory).toBe(false); // no secret memory on this machine
      expect(found.markersBeforeWipe.every(Boolean)).toBe(true);
      expect(found.unmaps).toBeGreaterThanOrEqual(1);
      expect(found.nonZeroBytesAtUnmap).toBe(0);
      expect(found.markersAtUnmap.some(Boolean)).toBe(false);
    },
  );

  it.each(ORDINARY)('%s: /proc/self/mem also saw the secret before the wipe, and zeros at munmap', (name) => {
    const found = report.results[name];
    expect(found.markersBeforeWipeViaProcMem.every(Boolean)).toBe(true);
    for (const unmap of found.procMemAtUnmap) expect(unmap).toEqual({ pages: unmap.pages, refused: 0, zero: true });
  });

  it.each(SECRET)(
    '%s: /proc/self/mem never reads the data pages (EIO), only the ordinary guard pages around them',
    (name) => {
      const found = report.results[name];
      if (!found) return expect(report.secretMemory).toBe(false);
      expect(found.markersBeforeWipeViaProcMem.some(Boolean)).toBe(false);
      for (const unmap of found.procMemAtUnmap) {
        expect(unmap.error).toBe('EIO');
        expect(unmap.refused).toBe(unmap.pages - 2); // all but the two guard pages
        expect(unmap.zero).toBe(true);
      }
    },
  );
});
