// The process-exit wipe, verified in child processes that read their secrets' bytes through
// /proc/self/mem just before they end (test/fixtures/secure-exit-wipe.mjs). The opt-out runs
// are the controls: the same reader finds the secrets still there.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastJson, run, type ChildResult } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/secure-exit-wipe.mjs', import.meta.url));

interface ExitReport {
  mode: string;
  before: string[];
  atExit?: string[];
  atSignal?: string[];
  inOwnListener?: string[];
  code?: number;
  sigtermListeners: number;
  setControl?: Record<string, unknown>;
  standaloneDisposed?: boolean;
  heapDestroyed?: boolean;
}

/** Runs the fixture in a mode that waits, sends it SIGTERM once it is ready, and collects it. */
function runSignalled(mode: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('"ready":true') && !child.killed) child.kill(signal);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

const SECRETS = ['secret', 'secret', 'secret'];
const WIPED = ['zero', 'zero', 'zero'];
// Once the event loop has run, the secret disposed in the first tick was wiped by its heap.
const LIVE_KEPT = ['secret', 'secret', 'zero'];

describe('the process-exit wipe', () => {
  it('wipes every live secret, and one freed this tick, when the event loop runs dry', async () => {
    const result = await run(process.execPath, [FIXTURE, 'exit']);
    const report = lastJson<ExitReport>(result);
    expect(result.status).toBe(0);
    expect(report.before).toEqual(['secret', 'secret', 'secret']);
    expect(report.atExit).toEqual(WIPED);
    expect(report.standaloneDisposed).toBe(true);
    expect(report.heapDestroyed).toBe(true);
  });

  it('wipes on process.exit() called inside an update, pages open', async () => {
    const result = await run(process.execPath, [FIXTURE, 'process-exit']);
    const report = lastJson<ExitReport>(result);
    expect(result.status).toBe(7);
    expect(report.before).toEqual(SECRETS);
    expect(report.atExit).toEqual(WIPED);
  });

  it('wipes when an uncaught exception ends the process', async () => {
    const result = await run(process.execPath, [FIXTURE, 'uncaught']);
    const report = lastJson<ExitReport>(result);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/deliberately uncaught/);
    expect(report.atExit).toEqual(WIPED);
  });

  it(
    'wipes every secret although Set.prototype.add/has/delete/forEach/size/iterators (and WeakSet.prototype.add/has) ' +
      'were replaced after load to keep and list nothing (control: a plain Set then keeps nothing)',
    async () => {
      const result = await run(process.execPath, [FIXTURE, 'sets-replaced']);
      const report = lastJson<ExitReport>(result);
      expect(result.status, result.stderr).toBe(0);
      expect(report.setControl).toEqual({ has: false, size: 0, listed: 0, weakHas: false });
      expect(report.before).toEqual(SECRETS);
      expect(report.atExit).toEqual(WIPED);
    },
  );

  it('leaves live secrets alone at exit when turned off (the control: the reader sees them)', async () => {
    const result = await run(process.execPath, [FIXTURE, 'exit-opt-out']);
    const report = lastJson<ExitReport>(result);
    expect(report.before).toEqual(SECRETS);
    expect(report.atExit).toEqual(LIVE_KEPT);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`wipes on ${signal} and still dies by ${signal}`, async () => {
      const result = await runSignalled('signal', signal);
      const report = lastJson<ExitReport & { signal: string }>(result);
      expect(result.signal).toBe(signal);
      expect(report.sigtermListeners).toBe(1);
      expect(report.before).toEqual(SECRETS);
      expect(report.signal).toBe(signal);
      expect(report.atSignal).toEqual(WIPED);
    });
  }

  it(
    'wipes on SIGTERM although array iteration and Array.prototype.push/every/includes were replaced after load ' +
      '(control: a for…of over an array then sees nothing)',
    async () => {
      const result = await runSignalled('signal-arrays-replaced');
      const report = lastJson<ExitReport & { signal: string; arrayControl: { iterated: number } }>(result);
      expect(report.arrayControl).toEqual({ iterated: 0 });
      expect(result.signal, result.stderr).toBe('SIGTERM');
      expect(report.sigtermListeners).toBe(1);
      expect(report.before).toEqual(SECRETS);
      expect(report.atSignal).toEqual(WIPED);
    },
  );

  it(
    'wipes on SIGTERM although EventEmitter.prototype.on (process.on with it) was replaced after load to add ' +
      'nothing (control: a plain emitter then hears nothing)',
    async () => {
      const result = await runSignalled('signal-on-replaced');
      const report = lastJson<ExitReport & { onControl: { heard: boolean } }>(result);
      expect(report.onControl).toEqual({ heard: false });
      expect(result.signal, result.stderr).toBe('SIGTERM');
      expect(report.sigtermListeners).toBe(1);
      expect(report.before).toEqual(SECRETS);
      expect(report.atSignal).toEqual(WIPED);
    },
  );

  it('wipes at exit although Object.defineProperty was replaced after load to throw', async () => {
    const result = await run(process.execPath, [FIXTURE, 'define-replaced']);
    const report = lastJson<ExitReport>(result);
    expect(result.status, result.stderr).toBe(0);
    expect(report.before).toEqual(SECRETS);
    expect(report.atExit).toEqual(WIPED);
  });

  it('leaves SIGTERM to a program that listens for it, and wipes when it exits', async () => {
    const result = await runSignalled('signal-owned');
    const report = lastJson<ExitReport>(result);
    expect(result.status).toBe(0);
    expect(report.inOwnListener).toEqual(LIVE_KEPT);
    expect(report.atExit).toEqual(WIPED);
  });

  it('installs no signal listener when signals are turned off', async () => {
    const result = await runSignalled('signal-opt-out');
    expect(result.signal).toBe('SIGTERM');
    const report = lastJson<ExitReport>(result);
    expect(report.sigtermListeners).toBe(0);
    expect(report.atSignal).toBeUndefined();
  });
});
