// "A no-op transition costs no syscall": protect to the current level, lock a locked region and
// unlock an unlocked one make no system call, as strace sees it in a child process; the control
// window shows the same trace does see each real change. Also: the calls of freeing a closed region.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressArgument, betweenMarkers, lastJson, parseStrace, run, type Syscall } from '../helpers/kernel.js';

const fixture = fileURLToPath(new URL('../fixtures/linux-count-syscalls.mjs', import.meta.url));
const TRACED = 'mprotect,mlock,munlock,madvise,mmap,munmap,access,faccessat,faccessat2';

let calls: Syscall[] = [];
let ranges: Array<{ address: bigint; length: number }> = [];
let scratch = '';

/** The calls in a window whose address falls inside one of the child's regions, as `name(args)`. */
function memshieldCalls(window: Syscall[]): string[] {
  return window
    .filter((call) => call.name !== 'access' && !call.name.startsWith('faccessat'))
    .filter((call) => {
      const address = addressArgument(call);
      return (
        address !== undefined &&
        ranges.some((range) => address >= range.address && address < range.address + BigInt(range.length))
      );
    })
    .map((call) => `${call.name}(${call.args.split(',').slice(1).join(',').trim()})`);
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
  ranges = lastJson<{ ranges: Array<{ address: string; length: number }> }>(child).ranges.map((range) => ({
    address: BigInt(range.address),
    length: range.length,
  }));
  calls = parseStrace(readFileSync(log, 'utf8'));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('system calls of no-op transitions, counted by strace in a child', () => {
  it(
    '400 protect-to-the-current-level, lock-when-locked and ' +
      'unlock-when-unlocked calls make no system call on the regions',
    () => {
      const window = betweenMarkers(calls, 'noop-begin', 'noop-end');
      expect(memshieldCalls(window)).toEqual([]);
      // Nothing in the whole process locked or unlocked memory meanwhile.
      expect(window.filter((call) => call.name === 'mlock' || call.name === 'munlock')).toEqual([]);
    },
  );

  it('control: each real change in the next window is one system call, seen by the same trace', () => {
    const window = betweenMarkers(calls, 'change-begin', 'change-end');
    expect(memshieldCalls(window)).toEqual([
      'mprotect(4096, PROT_READ)',
      'mprotect(4096, PROT_READ|PROT_WRITE)',
      'mlock(4096)',
      'munlock(4096)',
      'mprotect(4096, PROT_NONE)',
    ]);
  });

  it('free of the NoAccess Secure region opens its data pages for the wipe, then unmaps the whole mapping', () => {
    const window = betweenMarkers(calls, 'free-begin', 'free-end');
    expect(memshieldCalls(window)).toEqual(['mprotect(4096, PROT_READ|PROT_WRITE)', `munmap(${ranges[1].length})`]);
  });
});
