// The exit and signal wipes as real programs run: among 'exit' listeners that throw or exit again,
// beside the real signal-exit package (what execa, write-file-atomic and nyc use), and with two
// copies of memshield in one process sharing one koffi. Each case is a child process
// (test/fixtures/process-endings.mjs) whose witness reads every secret through /proc/self/mem at
// the last moment; the `--off` runs are the controls: the same witness sees the secrets there.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJson, run, type ChildResult } from '../helpers/kernel.js';
import { packageCopies } from '../helpers/package-copies.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/process-endings.mjs', import.meta.url));

interface EndingReport {
  at: string;
  copies: number;
  koffiFiles: string[];
  before: string[];
  seen: string[];
  code?: number;
  signal?: string;
  signalExitCalls?: number;
}

const env = (entries: string[]) => ({ ...process.env, ENDINGS_COPIES: JSON.stringify(entries) });

function runEnding(mode: string, flags: string[], entries: string[]): Promise<ChildResult> {
  return run(process.execPath, [FIXTURE, mode, ...flags], { env: env(entries) });
}

/** Runs the fixture in signal mode, sends `signal` once it is ready; kills it if it is still alive 10 s later. */
function runSignalled(
  flags: string[],
  entries: string[],
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<ChildResult & { survived: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, 'signal', ...flags], {
      env: env(entries),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let survived = false;
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (timer === undefined && stdout.includes('"ready":true')) {
        child.kill(signal);
        timer = setTimeout(() => {
          survived = true;
          child.kill('SIGKILL');
        }, 10_000);
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status, ended) => {
      clearTimeout(timer);
      resolve({ status, signal: ended, stdout, stderr, survived });
    });
  });
}

const copies = packageCopies(2);
afterAll(() => copies.remove());
const ALONE: string[] = [];
const layouts = [
  ['one copy', ALONE],
  ['two copies sharing one koffi', copies.entries],
] as const;

describe('two copies of memshield in one process', () => {
  it('load side by side from one hoisted koffi and both hold secrets', async () => {
    const result = await runEnding('exit', [], copies.entries);
    const report = lastJson<EndingReport>(result);
    expect(result.stderr).not.toMatch(/Duplicate type name/);
    expect(result.status).toBe(0);
    expect(report.copies).toBe(2);
    expect(new Set(report.koffiFiles).size).toBe(1);
    expect(report.before).toEqual(['secret', 'secret', 'secret', 'secret']);
  });

  it("each copy's configureExitWipe covers its own secrets: the first opted out, the second wiped", async () => {
    const exited = lastJson<EndingReport>(await runEnding('exit', ['--off-first'], copies.entries));
    expect(exited.seen).toEqual(['secret', 'secret', 'zero', 'zero']);
    const signalled = await runSignalled(['--off-first'], copies.entries);
    expect(signalled.signal).toBe('SIGTERM');
    expect(lastJson<EndingReport>(signalled).seen).toEqual(['secret', 'secret', 'zero', 'zero']);
  });
});

for (const [layout, entries] of layouts) {
  const secrets = (word: string) => Array.from({ length: 2 * Math.max(1, entries.length) }, () => word);

  describe(`the exit wipe runs before every other 'exit' listener (${layout})`, () => {
    it('wipes when the event loop runs dry; the control keeps the secrets', async () => {
      const [wiped, kept] = await Promise.all([runEnding('exit', [], entries), runEnding('exit', ['--off'], entries)]);
      expect(lastJson<EndingReport>(wiped)).toMatchObject({
        at: 'last-listener',
        before: secrets('secret'),
        seen: secrets('zero'),
      });
      expect(lastJson<EndingReport>(kept)).toMatchObject({ at: 'last-listener', seen: secrets('secret') });
    });

    it('wipes before a listener added earlier that throws', async () => {
      const [wiped, kept] = await Promise.all([
        runEnding('exit-throws', [], entries),
        runEnding('exit-throws', ['--off'], entries),
      ]);
      expect(wiped.stderr).toMatch(/deliberately thrown in an exit listener/);
      expect(lastJson<EndingReport>(wiped)).toMatchObject({
        at: 'earlier-listener',
        before: secrets('secret'),
        seen: secrets('zero'),
      });
      expect(lastJson<EndingReport>(kept)).toMatchObject({ at: 'earlier-listener', seen: secrets('secret') });
    });

    it('wipes before a listener added earlier that calls process.exit() again', async () => {
      const [wiped, kept] = await Promise.all([
        runEnding('exit-again', [], entries),
        runEnding('exit-again', ['--off'], entries),
      ]);
      expect(wiped.status).toBe(3);
      expect(lastJson<EndingReport>(wiped)).toMatchObject({ at: 'reallyExit', code: 3, seen: secrets('zero') });
      expect(lastJson<EndingReport>(kept)).toMatchObject({ at: 'reallyExit', code: 3, seen: secrets('secret') });
    });

    it('wipes before a listener prepended after memshield armed', async () => {
      const [wiped, kept] = await Promise.all([
        runEnding('exit-later', [], entries),
        runEnding('exit-later', ['--off'], entries),
      ]);
      expect(lastJson<EndingReport>(wiped)).toMatchObject({ at: 'later-listener', seen: secrets('zero') });
      expect(lastJson<EndingReport>(kept)).toMatchObject({ at: 'later-listener', seen: secrets('secret') });
    });
  });

  describe(`signals end the process as without memshield, secrets wiped (${layout})`, () => {
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      it(`alone: dies by ${signal}, wiped`, async () => {
        const result = await runSignalled([], entries, signal);
        expect(result.signal).toBe(signal);
        expect(lastJson<EndingReport>(result)).toMatchObject({
          at: 'kill',
          signal,
          before: secrets('secret'),
          seen: secrets('zero'),
        });
      });
    }

    for (const order of ['--signal-exit-before', '--signal-exit-after']) {
      it(`beside signal-exit (${order.slice(2)}): dies by SIGTERM, signal-exit's callback ran, wiped`, async () => {
        const result = await runSignalled([order], entries);
        expect(result.survived).toBe(false);
        expect(result.signal).toBe('SIGTERM');
        expect(lastJson<EndingReport>(result)).toMatchObject({ at: 'kill', signalExitCalls: 1, seen: secrets('zero') });
      });
    }

    it(
      'control: beside signal-exit with the wipe turned ' + 'off, the witness sees the secrets at the re-raise',
      async () => {
        const result = await runSignalled(['--signal-exit-before', '--off'], entries);
        expect(result.signal).toBe('SIGTERM');
        expect(lastJson<EndingReport>(result)).toMatchObject({ at: 'kill', seen: secrets('secret') });
      },
    );

    it(
      'a frozen fake coordinator of the exact shape planted before memshield ' +
        'loads: still dies by SIGTERM, wiped (this copy hooks the signal itself too)',
      async () => {
        const result = await runSignalled(['--planted'], entries);
        // Before: no listener at all, the process died with no wipe and no witness.
        expect(result.signal).toBe('SIGTERM');
        expect(lastJson<EndingReport & { fakeCalls: string[] }>(result)).toMatchObject({
          at: 'kill',
          fakeCalls: expect.arrayContaining(['join']),
          seen: secrets('zero'),
        });
      },
    );

    it(
      'the same fake beside signal-exit: dies by SIGTERM, wiped ' +
        '(control: with the wipe turned off the witness sees the secrets)',
      async () => {
        const [wiped, kept] = await Promise.all([
          runSignalled(['--planted', '--signal-exit-before'], entries),
          runSignalled(['--planted', '--signal-exit-before', '--off'], entries),
        ]);
        expect(wiped.signal).toBe('SIGTERM');
        // before: 'secret' (the fake took the wipe)
        expect(lastJson<EndingReport>(wiped)).toMatchObject({ at: 'kill', signalExitCalls: 1, seen: secrets('zero') });
        expect(kept.signal).toBe('SIGTERM');
        expect(lastJson<EndingReport>(kept)).toMatchObject({ at: 'kill', seen: secrets('secret') });
      },
    );

    for (const extra of [[], ['--signal-exit-after']]) {
      it(
        `a SIGTERM listener of the program's own keeps the process alive, secrets ` +
          `intact, until it exits${extra.length ? ' (signal-exit loaded too)' : ''}`,
        async () => {
          const result = await runSignalled(['--own-listener', ...extra], entries);
          expect(result.signal).toBeNull();
          expect(result.status).toBe(0);
          const lines = result.stdout
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as EndingReport);
          expect(lines.find((line) => line.at === 'own-listener')?.seen).toEqual(secrets('secret'));
          expect(lastJson<EndingReport>(result)).toMatchObject({ at: 'reallyExit', code: 0, seen: secrets('zero') });
        },
      );
    }
  });
}
