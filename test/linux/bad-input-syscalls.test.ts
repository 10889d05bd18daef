// The kernel's side of "bad input is refused before any system call": a child makes ~100 bad
// calls under strace, and between its markers there is no mmap of new memory on its main thread,
// and no mprotect/munmap/madvise/mlock/munlock on memshield's mappings (its live regions, and
// anything mapped inside the window). Calls are attributed by the mapping they touch, never by
// their look: V8 makes memshield-like calls on its own memory (Node 22's V8 advises
// MADV_DONTFORK on its code space). The control window shows the same trace records a valid
// allocation's calls.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressArgument, betweenMarkers, lastJson, parseStrace, run, type Syscall } from '../helpers/kernel.js';

const fixture = fileURLToPath(new URL('../fixtures/linux-bad-input-syscalls.mjs', import.meta.url));
const TRACED = 'mmap,munmap,mprotect,mlock,munlock,madvise,access,faccessat,faccessat2';

let calls: Syscall[] = [];
let report: { pid: number; ranges: Array<{ address: string; length: number }>; codes: string[] };
let scratch = '';

/**
 * The calls a memshield operation would make: new anonymous memory, or anything (protect, unmap,
 * advise, lock, unlock) on memshield's mappings — on the main thread, where memshield's
 * synchronous calls run (V8's worker threads malloc large blocks with mmap(NULL, …) on their own
 * schedule).
 */
function memshieldLike(calls: Syscall[]): string[] {
  const window = calls.filter((call) => call.pid === report.pid);
  const ranges = report.ranges.map((range) => ({
    start: BigInt(range.address),
    end: BigInt(range.address) + BigInt(range.length),
  }));
  // Memory mapped inside the window counts as the process's own too (a valid allocation's).
  for (const call of window) {
    if (call.name === 'mmap' && call.args.startsWith('NULL') && call.result.startsWith('0x')) {
      const start = BigInt(call.result.split(' ')[0]);
      ranges.push({ start, end: start + BigInt(call.args.split(',')[1].trim()) });
    }
  }
  const onRegion = (call: Syscall) => {
    const address = addressArgument(call);
    return address !== undefined && ranges.some((range) => address >= range.start && address < range.end);
  };
  return window
    .filter(
      (call) =>
        (call.name === 'mmap' && call.args.startsWith('NULL')) ||
        (['mprotect', 'munmap', 'madvise', 'mlock', 'munlock'].includes(call.name) && onRegion(call)),
    )
    .map((call) => `${call.name}(${call.args}) = ${call.result}`);
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'memshield-strace-'));
  const log = join(scratch, 'strace.log');
  const child = await run('strace', [
    '-f',
    '--seccomp-bpf',
    '-qq',
    '-e',
    `trace=${TRACED}`,
    '-o',
    log,
    process.execPath,
    fixture,
  ]);
  expect(child.status, child.stderr).toBe(0);
  report = lastJson(child);
  calls = parseStrace(readFileSync(log, 'utf8'));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('bad input under strace', () => {
  it('every bad call threw a MemoryProtectionError with an expected code', () => {
    expect(report.codes.length).toBeGreaterThanOrEqual(80);
    const expected = new Set(['INVALID_ARGUMENT', 'OUT_OF_BOUNDS', 'ACCESS_DENIED', 'USE_AFTER_FREE', 'DOUBLE_FREE']);
    expect(report.codes.filter((code) => !expected.has(code))).toEqual([]);
  });

  it('made no memshield-like system call: no new mapping, no lock, no advice, nothing on its regions', () => {
    expect(memshieldLike(betweenMarkers(calls, 'bad-begin', 'bad-end'))).toEqual([]);
  });

  it('control: a valid Secure allocate/free in the next window is seen as mmap, madvise, mlock and munmap', () => {
    const seen = memshieldLike(betweenMarkers(calls, 'control-begin', 'control-end')).map((call) => call.split('(')[0]);
    expect(seen).toEqual(expect.arrayContaining(['mmap', 'madvise', 'mlock', 'munmap']));
  });
});
