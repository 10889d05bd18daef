// Canary damage on the real kernel, written by "native code" (a raw memset through koffi in a
// child, test/fixtures/secure-canary.mjs): reported as CANARY_CORRUPTED, with the memory wiped.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/secure-canary.mjs', import.meta.url));

describe('canary damage on Linux', () => {
  it(
    'after a heap slot is found when the slot is wiped; the ' + 'slot is zero, the gap restored, the neighbour intact',
    async () => {
      const report = lastJson<Record<string, unknown>>(await run(process.execPath, [FIXTURE, 'heap']));
      expect(report.damagedGap).toBe(true); // the control: the write landed
      expect(report.flushed).toMatchObject({ code: 'CANARY_CORRUPTED' });
      expect((report.flushed as { message: string }).message).toMatch(/address 0x[0-9a-f]+/);
      expect(report.victimAfter).toBe('zero');
      expect(report.gapRestored).toBe(true);
      expect(report.neighbourIntact).toBe(true);
      expect(report.canaryFailures).toBe(1);
    },
  );

  it(
    'after a standalone SecureBuffer is reported by ' + 'dispose(), which still wipes and gives its pages back',
    async () => {
      const report = lastJson<Record<string, unknown>>(await run(process.execPath, [FIXTURE, 'buffer']));
      expect(report.disposed).toMatchObject({ code: 'CANARY_CORRUPTED' });
      expect(report.isDisposed).toBe(true);
      // Its range is quarantined (reserved, inaccessible, nothing locked) or, past the cap, unmapped.
      expect([null, '---p']).toContain(report.permissionsAfter);
      expect(report.lockedAfter).toBe(0);
    },
  );
});
