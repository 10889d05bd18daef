// A view kept past use() must not give the secret away: its pages are NoAccess again, so touching
// it kills the process (SIGSEGV) instead of reading. Run in children: the touch is deliberate.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/secure-view-after-use.mjs', import.meta.url));

describe('a view kept after use() returned', () => {
  for (const placement of ['buffer', 'heap']) {
    it(
      `faults when touched (${placement === 'buffer' ? 'own region' : 'heap slot'}), ` + `though it read fine inside`,
      async () => {
        const result = await run(process.execPath, [FIXTURE, placement]);
        expect(result.stdout).toMatch(/^inside \d+\ntouching\n$/); // the control read, then nothing
        expect(result.signal).toBe('SIGSEGV');
      },
    );
  }
});
