// readPassword through a real pseudo-terminal (util-linux `script` runs the child on a pty and
// forwards what the test types): echo off, backspace (a UTF-8 character at once), Ctrl-U and
// Ctrl-C, the terminal left as it was, and no copy of the password in a heap snapshot — with
// the control, a readline prompt, which echoes it and leaves it in the snapshot. Without a
// terminal it reads one line from a pipe.
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { scanFile } from '../helpers/scan.js';

/** memshield's built entry, as a module specifier for the children's scripts. */
const DIST_INDEX = JSON.stringify(new URL('../../dist/src/index.js', import.meta.url).href);

const FIXTURE = fileURLToPath(new URL('../fixtures/password-prompt.mjs', import.meta.url));
const hasScript = spawnSync('script', ['--version']).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'memshield-prompt-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the fixture on a pty, types `keys` once its prompt is shown; its output (the pty's) and report. */
function onTerminal(
  mode: 'memshield' | 'naive',
  keys: string,
  snapshot = '-',
): Promise<{ screen: string; report: Record<string, unknown> }> {
  const command = [process.execPath, FIXTURE, mode, snapshot].map((part) => `'${part}'`).join(' ');
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let typed = false;
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      screen += chunk;
      if (!typed && screen.includes('Password: ')) {
        typed = true;
        child.stdin.write(keys);
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      const line = screen.split(/\r?\n/).find((candidate) => candidate.startsWith('{'));
      if (!line) reject(new Error(`no report from the prompt; the screen was: ${JSON.stringify(screen)}`));
      else resolve({ screen: screen.slice(0, screen.indexOf(line)), report: JSON.parse(line) });
    });
  });
}

const hex = (text: string) => Buffer.from(text).toString('hex');

describe.skipIf(!hasScript)('readPassword on a terminal', () => {
  it('reads without echo, handles backspace and Ctrl-U, and leaves the terminal as it was', async () => {
    const { screen, report } = await onTerminal('memshield', 'wrong\x15hunter2\x7f3xé\x7f\x7f!\r');
    expect(report).toEqual({ hex: hex('hunter3!'), rawAfter: false });
    expect(screen).not.toContain('hunter');
  });

  it('the control: a readline prompt on the same terminal echoes what is typed', async () => {
    const { screen, report } = await onTerminal('naive', 'hunter2\r');
    expect(report.hex).toBe(hex('hunter2'));
    expect(screen).toContain('hunter2');
  });

  it('Ctrl-C cancels: READ_FAILED, nothing kept, the terminal restored', async () => {
    const { report } = await onTerminal('memshield', 'secret\x03');
    expect(report).toMatchObject({ code: 'READ_FAILED', rawAfter: false });
    expect(report.message).toContain('cancelled');
    expect(report.message).not.toContain('secret');
  });

  it('leaves no copy of the password in a heap snapshot, where the readline control leaves one', async () => {
    const password = randomBytes(12).toString('base64url');
    const taken = join(scratch, 'memshield.heapsnapshot');
    const naive = join(scratch, 'naive.heapsnapshot');
    expect((await onTerminal('memshield', `${password}\r`, taken)).report.hex).toBe(hex(password));
    expect((await onTerminal('naive', `${password}\r`, naive)).report.hex).toBe(hex(password));
    const needle: Array<[string, Uint8Array]> = [['password', Buffer.from(password)]];
    expect(scanFile(naive, needle).found.get('password')?.length ?? 0).toBeGreaterThan(0);
    expect(scanFile(taken, needle).found.get('password') ?? []).toEqual([]);
  });
});

describe('readPassword without a terminal', () => {
  it('reads one line from a pipe and leaves the rest of the input unread', () => {
    const script = `
      const { readSync } = await import('node:fs');
      const { readPassword } = await import(${DIST_INDEX});
      const first = readPassword('');
      const rest = Buffer.alloc(64);
      const n = readSync(0, rest);
      process.stdout.write(first.use((v) => Buffer.from(v).toString()) + '|' + rest.subarray(0, n).toString());`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      input: 'pässword\x7f\nnext line\n',
    });
    expect(result.stderr.toString()).toBe('');
    // Without a terminal, bytes are taken as they are: DEL is not an edit.
    expect(result.stdout.toString()).toBe('pässword\x7f|next line\n');
  });
});
