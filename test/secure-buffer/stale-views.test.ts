// A view kept past use() never reads another secret (docs/stale-views.md). Each case runs in a
// child: the child keeps the view, frees its secret, makes up to 64 new secrets of other bytes
// (stopping if one lands at the old address), then touches the view inside a use() of the newest,
// so that a heap page holding it is open. The control in every case: the view read fine while live.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/stale-view.mjs', import.meta.url));

// MEMSHIELD_ISOLATION left out unless a case sets it (undefined: not passed to the child).
const stale = (placement: string, quarantine = 'quarantine', env: Record<string, string> = {}) =>
  run(process.execPath, [FIXTURE, placement, quarantine], {
    env: { ...process.env, MEMSHIELD_ISOLATION: undefined, ...env },
  });

describe('a view kept after its secret was freed', () => {
  it(
    'faults (SIGSEGV) for a standalone SecureBuffer: ' + 'its range is quarantined, no new secret lands there',
    async () => {
      const result = await stale('buffer');
      // the control read, then nothing
      expect(result.stdout).toBe('inside 65\nlanded false\nisolation none\ntouching\n');
      expect(result.signal).toBe('SIGSEGV');
    },
  );

  it(
    'control: with the quarantine off (maxBytes 0) the next ' +
      'secret lands at the freed address and the view reads it',
    async () => {
      const result = await stale('buffer', 'no-quarantine');
      expect(result.stdout).toBe('inside 65\nlanded true\nisolation none\ntouching\nread 0x42\n');
      expect(result.status).toBe(0);
    },
  );

  it(
    'faults for a secret of a SecureHeap with isolation: ' + 'true, even while a newer secret of that heap is open',
    async () => {
      const result = await stale('isolated');
      expect(result.stdout).toBe('inside 65\nlanded false\nisolation true\ntouching\n');
      expect(result.signal).toBe('SIGSEGV');
    },
  );

  it('faults the same with MEMSHIELD_ISOLATION=on and no option', async () => {
    const result = await stale('env-isolated', 'quarantine', { MEMSHIELD_ISOLATION: 'on' });
    expect(result.stdout).toBe('inside 65\nlanded false\nisolation true\ntouching\n');
    expect(result.signal).toBe('SIGSEGV');
  });

  it(
    'in a default heap, reads its own wiped slot (zeros) while a ' +
      "neighbour's page is open: FIFO reuse kept the 64 new secrets elsewhere",
    async () => {
      const result = await stale('heap');
      expect(result.stdout).toBe('inside 65\nlanded false\nisolation false\ntouching\nread 0x0\n');
      expect(result.status).toBe(0);
    },
  );
});
