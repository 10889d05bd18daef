// `npm test` runs the cross-runtime check: the same seeded scenario under Node, Bun and Deno must
// print byte-identical traces, canaries, addresses and errors. The control gives one runtime
// another seed and the check must then fail.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';
import { expectFreshBuild } from '../helpers/fresh-build.js';

const script = fileURLToPath(new URL('../../scripts/cross-runtime.mjs', import.meta.url));

interface Summary {
  identical: boolean;
  runtimes: Array<{ runtime: string; version?: string; sha256?: string; error?: string }>;
  traceEntries?: number;
}

describe('the cross-runtime check', () => {
  it('finds Node, Bun and Deno give byte-identical output for the same seed', async () => {
    expectFreshBuild();
    const result = await run(process.execPath, [script, '--json']);
    const summary = lastJson<Summary>(result);
    expect(summary.runtimes.map((entry) => [entry.runtime, entry.error])).toEqual([['node', undefined], ['bun', undefined], ['deno', undefined]]);
    expect(summary.identical).toBe(true);
    expect(result.status).toBe(0);
    expect(summary.traceEntries).toBeGreaterThan(30);
  });

  it('fails when one runtime differs (the control)', async () => {
    const result = await run(process.execPath, [script, '--json', '--skew', 'bun']);
    const summary = lastJson<Summary>(result);
    expect(summary.identical).toBe(false);
    expect(result.status).toBe(1);
    expect(new Set(summary.runtimes.map((entry) => entry.sha256)).size).toBe(2);
  });
});
