// Random draws as strace sees them in a child: each core draws its 16-byte canary with one
// getrandom(buf, 16, 0) when it starts, and allocations draw nothing. The first window is the
// control: the same trace does see the draws when cores start.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFreshBuild } from '../helpers/fresh-build.js';
import { betweenMarkers, parseStrace, run, type Syscall } from '../helpers/kernel.js';

const fixture = fileURLToPath(new URL('../fixtures/linux-count-random.mjs', import.meta.url));

let calls: Syscall[] = [];
let scratch = '';

/** The getrandom calls of a window, as `getrandom(length, flags) = result`. */
function draws(begin: string, end: string): string[] {
  return betweenMarkers(calls, begin, end)
    .filter((call) => call.name === 'getrandom')
    .map((call) => `getrandom(${call.args.split(',').slice(1).join(',').trim()}) = ${call.result}`);
}

beforeAll(async () => {
  expectFreshBuild();
  scratch = mkdtempSync(join(tmpdir(), 'memshield-strace-'));
  const log = join(scratch, 'strace.log');
  const child = await run('strace', [
    '-f',
    '-qq',
    '-e',
    'trace=getrandom,access,faccessat,faccessat2',
    '-o',
    log,
    process.execPath,
    fixture,
  ]);
  expect(child.status, child.stderr).toBe(0);
  calls = parseStrace(readFileSync(log, 'utf8'));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.runIf(process.platform === 'linux')('random draws, counted by strace in a child', () => {
  it('each core draws its canary with one getrandom of 16 bytes, flags 0, when it starts (the control)', () => {
    expect(draws('cores', 'allocations')).toEqual(['getrandom(16, 0) = 16', 'getrandom(16, 0) = 16']);
    expect(draws('another-core', 'end')).toEqual(['getrandom(16, 0) = 16']);
  });

  it('300 Secure regions and secrets made and freed, and a new SecureHeap, draw nothing', () => {
    expect(draws('allocations', 'another-core')).toEqual([]);
  });
});
