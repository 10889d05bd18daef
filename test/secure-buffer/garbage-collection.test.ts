// Secrets dropped without dispose() come back when the garbage collector reclaims them: a
// standalone SecureBuffer is disposed by its finalizer, a SecureHeap (with its buffers) destroyed.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/secure-gc.mjs', import.meta.url));

describe('SecureBuffers and SecureHeaps nobody disposed', () => {
  it('are wiped and unlocked once the garbage collector reclaims them', async () => {
    const report = lastJson<{ baseline: number; whileHeld: number; afterCollection: number }>(
      await run(process.execPath, ['--expose-gc', FIXTURE]),
    );
    expect(report.whileHeld - report.baseline).toBe(10 * 4096 + 65536); // the control: they were locked
    expect(report.afterCollection).toBe(report.baseline);
  });
});
