// No leaks: thousands of allocate/free cycles, in a child under strace, give back every byte
// they mapped (the syscall log: each mmap of new memory is munmapped in full), and bring VmLck,
// the dump-excluded entries and /proc/self/maps back; a failed allocation leaves nothing mapped.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { betweenMarkers, lastJson, parseStrace, run, type Syscall } from '../helpers/kernel.js';

const CYCLES = 3000;
const fixture = fileURLToPath(new URL('../fixtures/linux-leak-cycles.mjs', import.meta.url));

interface Snapshot {
  maps: number;
  vmLocked: number;
  dontDump: number;
  stats: { liveRegions: number; mappedBytes: number; lockedBytes: number };
}
interface Report {
  pid: number;
  phases: Record<string, { before: Snapshot; after: Snapshot }>;
  failed: {
    failures: Array<{ what: string; code: string; syscall?: string; errnoName?: string; message: string }>;
    before: Snapshot;
    after: Snapshot;
  };
  control: { address: string; length: number };
}

let report: Report;
let calls: Syscall[] = [];
let scratch = '';

/**
 * Replays a window's mmap/munmap calls: the ranges that new anonymous mappings (mmap(NULL, …))
 * added and munmap has not taken back by the window's end, plus how many such mmaps succeeded
 * and failed. V8 maps its heap at hinted addresses, never NULL, so these are memshield's.
 */
function account(window: Syscall[]) {
  let live: Array<[bigint, bigint]> = [];
  let mapped = 0;
  let refused = 0;
  for (const call of window) {
    if (call.pid !== report.pid) continue;
    const [first, second] = call.args.split(',').map((arg) => arg.trim());
    if (call.name === 'mmap' && first === 'NULL') {
      if (!call.result.startsWith('0x')) {
        refused++;
        continue;
      }
      const start = BigInt(call.result.split(' ')[0]);
      live.push([start, start + BigInt(second)]);
      mapped++;
    } else if (call.name === 'munmap' && call.result === '0') {
      const [start, end] = [BigInt(first), BigInt(first) + BigInt(second)];
      live = live.flatMap(
        ([a, b]): Array<[bigint, bigint]> =>
          b <= start || a >= end
            ? [[a, b]]
            : [
                ...(a < start ? [[a, start] as [bigint, bigint]] : []),
                ...(b > end ? [[end, b] as [bigint, bigint]] : []),
              ],
      );
    }
  }
  return { live: live.map(([a, b]) => ({ address: a.toString(), length: Number(b - a) })), mapped, refused };
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'memshield-leaks-'));
  const log = join(scratch, 'strace.log');
  const child = await run('strace', [
    '-f',
    '--seccomp-bpf',
    '-qq',
    '-e',
    'trace=mmap,munmap,access,faccessat,faccessat2',
    '-o',
    log,
    process.execPath,
    fixture,
    String(CYCLES),
  ]);
  expect(child.status, child.stderr).toBe(0);
  report = lastJson<Report>(child);
  calls = parseStrace(readFileSync(log, 'utf8'));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(['secure', 'mixed', 'guarded'])('%s: 3000 allocate/write/free cycles', (phase) => {
  it("unmap every byte they mapped (the kernel's syscall log)", () => {
    const { live, mapped } = account(betweenMarkers(calls, `${phase}-begin`, `${phase}-end`));
    expect(mapped).toBeGreaterThanOrEqual(CYCLES);
    expect(live).toEqual([]);
  });

  it("bring VmLck, the dump-excluded entries and memshield's totals back to where they started", () => {
    const { before, after } = report.phases[phase];
    expect(after.vmLocked).toBe(before.vmLocked);
    expect(after.dontDump).toBe(before.dontDump);
    expect(after.stats).toEqual(before.stats);
    expect(after.stats).toEqual({ liveRegions: 0, mappedBytes: 0, lockedBytes: 0 });
  });

  it('bring the /proc/self/maps line count back, up to what V8 maps meanwhile (a leak adds thousands)', () => {
    // V8 adds heap pages at random addresses on its own (measured: up to +16 lines per 3000
    // cycles with nothing leaking); a leaked region adds at least one line per cycle.
    const { before, after } = report.phases[phase];
    expect(after.maps - before.maps).toBeLessThan(CYCLES / 20);
  });
});

describe('failed allocations', () => {
  it('are ALLOCATION_FAILED from mmap with ENOMEM, and say nothing was left mapped', () => {
    expect(report.failed.failures).toHaveLength(6);
    for (const failure of report.failed.failures) {
      expect(failure, failure.what).toMatchObject({ code: 'ALLOCATION_FAILED', syscall: 'mmap', errnoName: 'ENOMEM' });
      expect(failure.message).toMatch(/Nothing was left mapped\. .*free regions or ask for less/);
    }
  });

  it('leave nothing mapped: every mmap the kernel refused, none left over, counts unchanged', () => {
    const { live, mapped, refused } = account(betweenMarkers(calls, 'failed-begin', 'failed-end'));
    expect(refused).toBeGreaterThanOrEqual(6);
    expect(live).toEqual([]);
    expect(mapped).toBe(0);
    const { before, after } = report.failed;
    expect({ ...after, maps: 0 }).toEqual({ ...before, maps: 0 });
    expect(after.maps - before.maps).toBeLessThan(CYCLES / 20);
  });
});

describe('control', () => {
  it('the same accounting finds a region left mapped: exactly the one kept alive', () => {
    const { live, mapped } = account(betweenMarkers(calls, 'control-begin', 'control-end'));
    expect(mapped).toBe(3);
    expect(live).toEqual([{ address: report.control.address, length: report.control.length }]);
  });
});
