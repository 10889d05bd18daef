// Golden traces: for each kind of region and each public operation, the exact host calls the core
// makes, pinned in traces.json. A change that adds, drops or reorders a system call fails here;
// if it is meant, regenerate with `UPDATE_GOLDEN=1 npx vitest run test/golden` and review the diff.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';
import { traceLine } from './format-trace.js';
import { simulatedTrace, type Scenario } from './simulated-trace.js';
// @ts-expect-error: plain JavaScript, shared with the strace child
import { goldenScenarios } from './scenarios.mjs';

const GOLDEN = new URL('./traces.json', import.meta.url);

const scenarios = goldenScenarios() as Scenario[];
const actual = Object.fromEntries(
  scenarios.map((scenario) => [scenario.name, simulatedTrace(scenario).map(traceLine)]),
);
if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 2)}\n`);
const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, string[]>;

describe('golden host-call traces', () => {
  it('cover the same scenarios as the file', () => {
    expect(Object.keys(actual)).toEqual(Object.keys(golden));
  });

  for (const scenario of scenarios) {
    it(`${scenario.name} makes exactly the pinned host calls`, () => {
      expect(actual[scenario.name]).toEqual(golden[scenario.name]);
    });
  }

  it('creating a PlatformMemory makes one host call: 16 random bytes for the canary', () => {
    const host = createSimulatedHost();
    api.createPlatformMemory({ host });
    expect(host.trace().map(traceLine)).toEqual(['randomBytes(16)']);
  });

  it('pin real work: a Secure allocation maps, leaves the dump, opens, writes canaries, advises, locks', () => {
    // A guard against a file regenerated from a broken core: the main path has its known shape.
    expect(golden['Secure: allocate']).toEqual([
      'map(12288, align 4096, NoAccess) → #0',
      'advise(#0, +0, 12288, DontDump) → ok', // first: the thread registry trusts only dump-excluded mappings
      'protect(#0, +4096, 4096, ReadWrite) → ok',
      'copyIn(#0, +4096, 4064) → ok', // the canary in front of the data; none behind (no slack)
      'advise(#0, +0, 12288, DontFork) → ok',
      'lock(#0, +4096, 4096) → ok',
    ]);
  });
});
