// The calls that give back an ended thread's memory (host/linux-thread-regions.ts), against the
// kernel. A released mapping cannot be read afterwards, so the witness for "zeroed before
// unmapped" is a second view of the same pages: a memfd mapped twice, shared. The control unmaps
// a view without release() and the other view still holds the secret.
import koffi from 'koffi';
import { readFileSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bindThreadRegions } from '../../host/linux-thread-regions.js';
import { entryAt, readMaps, readSmaps, vmLockedBytes } from '../helpers/kernel.js';

const PAGE = 4096;
const calls = bindThreadRegions('libc.so.6');
const libc = koffi.load('libc.so.6');
const memfdCreate = libc.func('int memfd_create(const char *name, unsigned int flags)');
const ftruncate = libc.func('int ftruncate(int fd, intptr_t length)');
const mmap = libc.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, intptr_t offset)');
const munmap = libc.func('int munmap(void *addr, size_t length)');
const mprotect = libc.func('int mprotect(void *addr, size_t length, int prot)');
const mlock = libc.func('int mlock(void *addr, size_t length)');
const mincore = libc.func('int mincore(void *addr, size_t length, _Out_ uint8_t *vec)');
const close = libc.func('int close(int fd)');
const memcpyIn = libc.func('void *memcpy(void *dst, const uint8_t *src, size_t n)');
const memcpyOut = libc.func('void *memcpy(_Out_ uint8_t *dst, void *src, size_t n)');
const PROT_NONE = 0;
const PROT_RW = 3;
const MAP_SHARED = 0x01;
const MAP_PRIVATE = 0x02;
const MAP_ANONYMOUS = 0x20;

const secret = (length: number) => Uint8Array.from({ length }, (_, i) => 0x80 | (i % 97)); // no zero byte
const bytesAt = (address: bigint, length: number) => {
  const bytes = new Uint8Array(length);
  memcpyOut(bytes, address, length);
  return bytes;
};

/** A memfd of `pages` pages holding the secret, mapped twice (shared): [view, witness]. */
function twoViews(pages: number): { view: bigint; witness: bigint; length: number } {
  const length = pages * PAGE;
  const fd = memfdCreate('memshield-test', 0);
  expect(fd).toBeGreaterThanOrEqual(0);
  expect(ftruncate(fd, length)).toBe(0);
  const view = mmap(null, length, PROT_RW, MAP_SHARED, fd, 0) as bigint;
  const witness = mmap(null, length, PROT_RW, MAP_SHARED, fd, 0) as bigint;
  close(fd);
  memcpyIn(view, secret(length), length);
  return { view, witness, length };
}

describe("giving back another thread's mappings (Linux)", () => {
  it('release() zeroes the pages, then unlocks and unmaps them, whatever their protection', () => {
    const { view, witness, length } = twoViews(3);
    const lockedBefore = vmLockedBytes();
    expect(mlock(view, length)).toBe(0);
    expect(mprotect(view, length, PROT_NONE)).toBe(0); // at rest, as a Secure region's data pages
    expect(vmLockedBytes()).toBe(lockedBefore + length);

    expect(calls.release(view, length)).toBe(0);
    expect(entryAt(readMaps(), view)).toBeUndefined();
    expect(vmLockedBytes()).toBe(lockedBefore);
    expect(bytesAt(witness, length)).toEqual(new Uint8Array(length));
    munmap(witness, length);
  });

  it('control: munmap alone leaves the bytes behind (the witness view still reads them)', () => {
    const { view, witness, length } = twoViews(2);
    expect(munmap(view, length)).toBe(0);
    expect(bytesAt(witness, length)).toEqual(secret(length));
    munmap(witness, length);
  });

  it(
    'wipeInPlace() zeroes a NoAccess mapping without changing ' +
      'its protection, and never faults an untouched page in',
    () => {
      const length = 4 * PAGE;
      const address = mmap(null, length, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) as bigint;
      memcpyIn(address, secret(PAGE), PAGE); // only the first page is ever touched
      expect(mprotect(address, length, PROT_NONE)).toBe(0);

      expect(calls.wipeInPlace(address, length)).toBe(PAGE);
      expect(entryAt(readSmaps(), address)!.perms).toBe('---p');
      const resident = new Uint8Array(4);
      expect(mincore(address, length, resident)).toBe(0);
      expect([...resident].map((flags) => flags & 1)).toEqual([1, 0, 0, 0]);
      expect(mprotect(address, length, PROT_RW)).toBe(0);
      expect(bytesAt(address, PAGE)).toEqual(new Uint8Array(PAGE));
      munmap(address, length);
    },
  );

  it('knows the calling thread, and tells a live thread from an ended one (or a reused id)', () => {
    const self = calls.currentThread();
    expect(readlinkSync('/proc/thread-self')).toBe(`${process.pid}/task/${self.tid}`);
    expect(readFileSync(`/proc/self/task/${self.tid}/stat`, 'utf8')).toContain(`${self.tid} (`);
    expect(calls.threadAlive(self)).toBe(true);
    // same id, another start: not this thread
    expect(calls.threadAlive({ tid: self.tid, start: self.start + 1 })).toBe(false);
    expect(calls.threadAlive({ tid: 0x7fffffff, start: self.start })).toBe(false);
    // any start: a sweeping thread named by id alone
    expect(calls.threadAlive({ tid: self.tid, start: -1 })).toBe(true);
    expect(calls.threadAlive({ tid: 0x7fffffff, start: -1 })).toBe(false);
  });

  it(
    'dumpExcludedRuns() lists an anonymous mapping once it is MADV_DONTDUMP, ' +
      'guards and data as one run (control: the same mapping before the advice)',
    () => {
      const madvise = libc.func('int madvise(void *addr, size_t length, int advice)');
      const MADV_DONTDUMP = 16;
      const length = 3 * PAGE;
      const address = mmap(null, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) as bigint;
      expect(mprotect(address + BigInt(PAGE), PAGE, PROT_RW)).toBe(0); // guard │ data │ guard: three VMAs
      const holding = (runs: Array<[number, number]> | undefined) =>
        runs!.some(([start, end]) => start <= Number(address) && Number(address) < end);
      expect(holding(calls.dumpExcludedRuns())).toBe(false); // an ordinary anonymous mapping (what V8 makes)
      expect(madvise(address, length, MADV_DONTDUMP)).toBe(0);
      const runs = calls.dumpExcludedRuns()!;
      const run = runs.find(([start, end]) => start <= Number(address) && Number(address) < end)!;
      expect(run[1] - Number(address)).toBeGreaterThanOrEqual(length); // the three VMAs joined into one run
      expect(entryAt(readSmaps(), address + BigInt(PAGE))!.perms).toBe('rw-p'); // they are three in the kernel's view
      // sorted, adjacent ones merged
      for (let i = 1; i < runs.length; i++) expect(runs[i][0]).toBeGreaterThan(runs[i - 1][1]);
      munmap(address, length);
      expect(holding(calls.dumpExcludedRuns())).toBe(false); // gone
    },
  );
});
