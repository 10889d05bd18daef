// A write one byte outside the data, through a raw pointer, hits a guard page and the kernel
// kills the process by SIGSEGV. This runs in child processes (test/fixtures/linux-touch-guard.mjs);
// each fault case has a control that writes the nearest valid byte and lives.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../helpers/kernel.js';

const fixture = fileURLToPath(new URL('../fixtures/linux-touch-guard.mjs', import.meta.url));
const touch = (layout: string, where: string) => run(process.execPath, [fixture, layout, where]);

describe('touching memory outside the data, in a child process', () => {
  const cases: Array<[layout: string, where: string, outcome: 'dies by SIGSEGV' | 'lives']> = [
    ['secure-32', 'past', 'dies by SIGSEGV'],
    ['secure-32', 'last', 'lives'],
    ['secure-4096', 'before', 'dies by SIGSEGV'],
    ['secure-4096', 'past', 'dies by SIGSEGV'],
    ['secure-4096', 'first', 'lives'],
    ['guarded-4096', 'before', 'dies by SIGSEGV'],
    ['guarded-4096', 'past', 'dies by SIGSEGV'],
    ['guarded-4096', 'first', 'lives'],
    ['guarded-4096', 'last', 'lives'],
    ['readonly', 'first', 'dies by SIGSEGV'],
  ];

  it.concurrent.each(cases)('a %s region written one byte at %s %s', async (layout, where, outcome) => {
    const child = await touch(layout, where);
    // It reached the write (so nothing else failed first)…
    expect(child.stdout).toContain(`touching ${layout} ${where} at 0x`);
    if (outcome === 'dies by SIGSEGV') {
      // …and the kernel stopped it there.
      expect(child.signal).toBe('SIGSEGV');
      expect(child.stdout).not.toContain('survived');
    } else {
      expect({ status: child.status, signal: child.signal, stderr: child.stderr }).toEqual({
        status: 0,
        signal: null,
        stderr: '',
      });
      expect(child.stdout).toContain('survived');
    }
  });
});
