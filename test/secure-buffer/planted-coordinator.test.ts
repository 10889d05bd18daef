// A fake process coordinator planted on globalThis before memshield loads does not turn off the
// exit wipe: a shape that is not a memshield coordinator's is not used, and a copy that joins a
// coordinator it did not make also hooks the endings through one of its own (the signals: see
// process-endings.test.ts › a frozen fake coordinator …). Read in children through /proc/self/mem
// (test/fixtures/planted-coordinator.mjs); the opt-out run is the control that the reader sees
// the secret when nothing wipes it.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/planted-coordinator.mjs', import.meta.url));
interface Report {
  mode: string;
  before: string;
  atExitHasSecret: boolean;
  atExitZero: boolean;
  fakeCalls: string[];
}

async function child(mode: string): Promise<Report> {
  const result = await run(process.execPath, [FIXTURE, mode]);
  expect(result.status, result.stderr).toBe(0);
  const report = lastJson<Report>(result);
  expect(report.before).toBe('sk_live_PLANTED_SECRET');
  return report;
}

describe.runIf(process.platform === 'linux')('a planted process coordinator', () => {
  it('control: with the exit wipe turned off the reader finds the secret at exit', async () => {
    const report = await child('opt-out');
    expect(report.atExitHasSecret).toBe(true);
  });

  it('no plant: wiped at exit', async () => {
    expect((await child('none')).atExitZero).toBe(true);
  });

  it('a plain fake is not used, and the secret is wiped at exit', async () => {
    const report = await child('plain');
    expect(report.fakeCalls).toEqual([]);
    expect(report.atExitZero).toBe(true);
  });

  it("a frozen fake of the exact shape is joined, yet the copy's own exit wipe still runs", async () => {
    const report = await child('frozen');
    expect(report.fakeCalls).toContain('join'); // the control that this fake passed the shape check
    expect(report.atExitZero).toBe(true);
  });
});
