// A fork() child cannot read the parent's secrets. In a child process holding secrets of every
// kind, a small C helper (fork-probe.c, compiled here) forks and, in the grandchild, reads each
// secret's address — while the parent has the pages open — two ways: write(2) from it into a
// pipe (EFAULT when nothing is mapped there) and a plain load (SIGSEGV). smaps shows VmFlag `dc`
// (MADV_DONTFORK) on every secret mapping. The controls take the same probe to memory fork()
// does hand down: a Regular region, and secret memory mapped by hand without MADV_DONTFORK — a
// shared mapping, which is why memshield advises secret memory like any Secure region.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';

const SOURCE = fileURLToPath(new URL('./fork-probe.c', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/leaks-fork.mjs', import.meta.url));
const EFAULT = 14;
const SIGSEGV = 11;

interface Probe {
  copyErrno: number;
  touchSignal: number;
  sawMarker: boolean;
  dontFork: boolean;
}
interface SecretProbe extends Probe {
  backing: string;
  readableHere: boolean;
  forkExcluded: boolean;
}
interface Report {
  results: Record<string, SecretProbe>;
  controls: Record<string, Probe>;
}

const SECRETS = [
  'SecureBuffer',
  'SecureHeap slot',
  'SecureBuffer (secretMemory off)',
  'SecureHeap slot (secretMemory off)',
  'PlatformMemory Secure region',
  'PlatformMemory Secure region (secretMemory preferred)',
];

let scratch = '';
let report: Report;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'memshield-fork-'));
  const library = join(scratch, 'fork-probe.so');
  const compiled = await run('cc', ['-shared', '-fPIC', '-O1', '-Wall', '-Werror', '-o', library, SOURCE]);
  expect(compiled.status, compiled.stderr).toBe(0);
  const child = await run(process.execPath, [FIXTURE, library]);
  expect(child.status, child.stderr).toBe(0);
  report = lastJson<Report>(child);
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("a fork() child and the parent's secrets", () => {
  it.each(SECRETS)(
    '%s: every page of its mapping carries dc (MADV_DONTFORK), and inspect says forkExcluded',
    (name) => {
      expect(report.results[name]).toMatchObject({ dontFork: true, forkExcluded: true });
    },
  );

  it.each(SECRETS)(
    '%s: the child gets EFAULT reading the address and dies by SIGSEGV touching it, while the parent reads it',
    (name) => {
      expect(report.results[name]).toMatchObject({
        readableHere: true,
        copyErrno: EFAULT,
        touchSignal: SIGSEGV,
        sawMarker: false,
      });
    },
  );

  it(
    'control: the child reads a Regular region of the parent, ' +
      'marker and all (the probe finds what fork hands down)',
    () => {
      expect(report.controls['Regular region']).toEqual({
        copyErrno: 0,
        touchSignal: 0,
        sawMarker: true,
        dontFork: false,
      });
    },
  );

  it('control: secret memory mapped without MADV_DONTFORK is handed down (shared), so memshield must advise it', () => {
    const control = report.controls['secret memory without MADV_DONTFORK'];
    if (!control) return; // no memfd_secret on this machine
    expect(control).toEqual({ copyErrno: 0, touchSignal: 0, sawMarker: true, dontFork: false });
  });
});
