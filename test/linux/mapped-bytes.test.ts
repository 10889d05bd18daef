// The native host's per-mapping shortcuts (host/mapped-bytes.ts): copies go through one view of
// the whole mapping and scoped access reuses the view it lent before. Checked against the
// kernel's own view of the memory (/proc/self/mem reads by address) and libc's memcpy, so a
// copy landing at a wrong offset cannot pass.
import { closeSync, openSync, readSync } from 'node:fs';
import koffi from 'koffi';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeHost } from '../../src/default-memory.js';
import { Protection } from '../../host/types.js';
import { copyIntoMapping, copyOutOfMapping, lentView, mappedBytes } from '../../host/mapped-bytes.js';

const host = nativeHost();
const PAGE = host.pageSize();
const live: number[] = [];

/** A read-write mapping of three pages, unmapped after the test. */
function mapThreePages(): number {
  const id = host.map(3 * PAGE, PAGE, Protection.ReadWrite, 0);
  expect(id).toBeGreaterThanOrEqual(0);
  live.push(id);
  return id;
}

/** `length` bytes at `address`, as the kernel reads them. */
function kernelRead(address: bigint, length: number): Uint8Array {
  const fd = openSync('/proc/self/mem', 'r');
  try {
    const bytes = new Uint8Array(length);
    expect(readSync(fd, bytes, 0, length, address)).toBe(length);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

// Writes go through libc's memcpy (/proc/self/mem refuses writes on this kernel: EIO).
const memcpy = koffi.load('libc.so.6').func('void *memcpy(void *dst, const void *src, size_t n)');
function nativeWrite(address: bigint, bytes: Uint8Array): void {
  memcpy(address, bytes, bytes.length);
}

const pattern = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff || 1);

afterEach(() => {
  while (live.length) expect(host.unmap(live.pop()!)).toBe(0);
});

describe.runIf(process.platform === 'linux')('the Linux host reaches mapping bytes through cached views', () => {
  // The first two copies of a mapping go through libc, the later ones through its view: four rounds cover both.
  it(
    'copyIn puts the bytes exactly at the offset, as the ' +
      'kernel reads them back, through libc and through the view',
    () => {
      const id = mapThreePages();
      for (const [round, offset] of [PAGE + 4064, PAGE, PAGE + 4064, 2 * PAGE - 1].entries()) {
        const at = host.address(id) + BigInt(offset);
        const length = Math.min(32, 3 * PAGE - offset);
        const bytes = pattern(length, round + 3);
        expect(kernelRead(at, length)).not.toEqual(bytes); // control: not there before
        expect(host.copyIn(id, offset, bytes)).toBe(0);
        expect(kernelRead(at, length)).toEqual(bytes);
      }
      expect(kernelRead(host.address(id) + BigInt(PAGE - 1), 1)).toEqual(new Uint8Array(1)); // nothing before the first
      expect(kernelRead(host.address(id) + BigInt(PAGE + 32), 1)).toEqual(new Uint8Array(1)); // nor after it
    },
  );

  it(
    'copyOut reads exactly the bytes at the offset, through ' + 'libc and through the view, again after they change',
    () => {
      const id = mapThreePages();
      const offset = PAGE + 1000;
      const at = host.address(id) + BigInt(offset);
      for (const seed of [5, 9, 11, 13]) {
        const bytes = pattern(1024, seed);
        nativeWrite(at, bytes);
        const target = new Uint8Array(1024);
        expect(host.copyOut(id, offset, target)).toBe(0); // the last rounds reuse the view's window
        expect(target).toEqual(bytes);
      }
      const shorter = new Uint8Array(16);
      expect(host.copyOut(id, offset + 8, shorter)).toBe(0);
      expect(shorter).toEqual(pattern(1024, 13).subarray(8, 24));
    },
  );

  it(
    'lends a new view of its own buffer each time, even for ' +
      'the same range (a reused heap slot holds another secret)',
    () => {
      const id = mapThreePages();
      const first = host.view(id, PAGE, 32)!;
      const again = host.view(id, PAGE, 32)!;
      expect(again).not.toBe(first); // the secret, not the host, keeps its view (src/scoped-access.ts)
      expect(again.buffer).not.toBe(first.buffer);
      const shorter = host.view(id, PAGE, 16)!;
      expect(shorter).not.toBe(first);
      expect(shorter.byteLength).toBe(16);
      const neighbour = host.view(id, PAGE + 32, 32)!;
      expect(neighbour.buffer).not.toBe(first.buffer); // lent-view tracking needs a buffer per view
      neighbour[0] = 0x5a;
      expect(kernelRead(host.address(id) + BigInt(PAGE + 32), 1)).toEqual(new Uint8Array([0x5a]));
      const other = mapThreePages();
      expect(host.view(other, PAGE, 32)).not.toBe(first);
    },
  );

  it('where the runtime refuses external buffers (Electron), copies fall back to libc and no view is lent', () => {
    const id = mapThreePages();
    const refusing = {
      view: () => {
        throw new Error('External buffers are not allowed');
      },
    } as unknown as typeof koffi;
    const record = mappedBytes(host.address(id), 3 * PAGE);
    const bytes = pattern(32, 1);
    for (let copy = 0; copy < 4; copy++) {
      expect(copyIntoMapping(refusing, record, PAGE, bytes)).toBe(false); // the host then calls memcpy
      expect(copyOutOfMapping(refusing, record, PAGE, new Uint8Array(32))).toBe(false);
    }
    expect(lentView(refusing, record, PAGE, 32)).toBeUndefined(); // scoped access then copies
    // Control: with koffi's own view the third copy goes through it.
    const lending = mappedBytes(host.address(id), 3 * PAGE);
    expect([0, 1, 2].map(() => copyIntoMapping(koffi, lending, PAGE, bytes))).toEqual([false, false, true]);
    expect(kernelRead(host.address(id) + BigInt(PAGE), 32)).toEqual(bytes);
  });
});
