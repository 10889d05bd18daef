// What the process needs to give back the memory of a thread that ended (Linux): who the calling
// thread is and whether a thread still runs (/proc), and the OS calls on another thread's
// mappings by address — a worker that is gone left its mappings, locks and secrets behind, and
// its host (which named them by id) went with it.
//
// Only pages that are resident are zeroed (mincore): zeroing a page nobody touched would first
// make the kernel commit it, and a huge untouched reservation would then cost real memory.
import { readDumpExcludedRuns, type AddressRuns } from './linux-dump-excluded.js';
import { builtin, loadKoffi } from './node-builtins.js';

/** One thread, told apart from a later one that gets its id again: its id and its start time. */
export interface ThreadTag {
  /** The kernel's thread id (gettid). */
  tid: number;
  /** Field 22 of /proc/thread-self/stat: when the thread started, in clock ticks since boot. */
  start: number;
}

/** The calls on other threads' regions. */
export interface ThreadRegionCalls {
  /** The kernel's page size: a range the registry names must be aligned to it. */
  pageSize: number;
  /** The calling thread. */
  currentThread(): ThreadTag;
  /** Whether that thread still runs in this process (a negative start: any thread with that id). */
  threadAlive(tag: ThreadTag): boolean;
  /** Zeroes the resident pages of [address, +length), then munlock and munmap: 0 or the errno of munmap. */
  release(address: bigint, length: number): number;
  /**
   * Zeroes the resident pages of [address, +length) through /proc/self/mem, with no protection
   * change (a thread still running may use the pages). Secret memory refuses such writes (EIO);
   * the kernel zeroes it when it frees it. Returns how many bytes it zeroed.
   */
  wipeInPlace(address: bigint, length: number): number;
  /**
   * The address runs of mappings that look like memshield's (anonymous or secret memory, VmFlags
   * `dd`), from one read of /proc/self/smaps; undefined if it cannot be read.
   */
  dumpExcludedRuns(): AddressRuns | undefined;
}

// mman.h.
const PROT_READ_WRITE = 0x1 | 0x2;

/** Field 22 (starttime) of a /proc/…/stat line; the name in field 2 may hold spaces and ')'. */
function startTime(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[22 - 3]);
}

/** Binds the calls (libc through koffi, /proc through node:fs). */
export function bindThreadRegions(libcName: string): ThreadRegionCalls {
  const fs = builtin('node:fs');
  const koffi = loadKoffi();
  const libc = koffi.load(libcName);
  const mincore = libc.func('int mincore(void *addr, size_t length, _Out_ uint8_t *vec)');
  const mprotect = libc.func('int mprotect(void *addr, size_t length, int prot)');
  const munlock = libc.func('int munlock(void *addr, size_t length)');
  const munmap = libc.func('int munmap(void *addr, size_t length)');
  const zero = libc.func('void explicit_bzero(void *dst, size_t n)');
  const pageSize = Number(libc.func('long sysconf(int name)')(30)); // _SC_PAGESIZE
  const errno = (): number => koffi.errno() || 1;

  /** Each run [offset, offset + length) of resident pages, in bytes from `address`. */
  function residentRuns(address: bigint, length: number): Array<[number, number]> {
    const pages = Math.ceil(length / pageSize);
    const vector = new Uint8Array(pages);
    if (mincore(address, length, vector) !== 0) return [[0, length]]; // cannot tell: zero it all
    const runs: Array<[number, number]> = [];
    for (let page = 0; page < pages; page++) {
      if ((vector[page] & 1) === 0) continue;
      const last = runs.at(-1);
      if (last && last[0] + last[1] === page * pageSize) last[1] += pageSize;
      else runs.push([page * pageSize, pageSize]);
    }
    return runs;
  }

  return {
    pageSize,
    currentThread() {
      const [, tid] = /task\/(\d+)/.exec(fs.readlinkSync('/proc/thread-self')) ?? [];
      return { tid: Number(tid), start: startTime(fs.readFileSync('/proc/thread-self/stat', 'utf8')) };
    },
    threadAlive({ tid, start }) {
      try {
        const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return start < 0 || startTime(stat) === start;
      } catch (error) {
        // Only "no such task" means the thread ended (and was joined). Any other failure (EMFILE or
        // ENFILE near the fd limit, EACCES, ENOMEM) says nothing about the thread: it counts as
        // running, since releasing a running thread's mapping would wipe and unmap its secrets.
        const code = (error as { code?: unknown }).code;
        return !(code === 'ENOENT' || code === 'ESRCH');
      }
    },
    release(address, length) {
      for (const [offset, run] of residentRuns(address, length)) {
        const at = address + BigInt(offset);
        if (mprotect(at, run, PROT_READ_WRITE) === 0) zero(at, run);
      }
      munlock(address, length); // ENOMEM where nothing was locked: nothing to undo
      return munmap(address, length) === 0 ? 0 : errno();
    },
    dumpExcludedRuns: readDumpExcludedRuns,
    wipeInPlace(address, length) {
      let zeroed = 0;
      const fd = fs.openSync('/proc/self/mem', 'r+');
      try {
        for (const [offset, run] of residentRuns(address, length)) {
          try {
            // A Number position: addresses fit in 53 bits (47-bit user space).
            zeroed += fs.writeSync(fd, new Uint8Array(run), 0, run, Number(address) + offset);
          } catch {
            // Secret memory (EIO): unreadable by anyone, and zeroed by the kernel when freed.
          }
        }
      } finally {
        fs.closeSync(fd);
      }
      return zeroed;
    },
  };
}
