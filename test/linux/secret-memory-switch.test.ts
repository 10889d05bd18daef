// The application-wide switch: MEMSHIELD_SECRET_MEMORY (off | preferred | required), read once
// at load, sets the default secretMemory of SecureBuffer and SecureHeap; an explicit option wins.
// Each case is a child process started with the variable, and the kernel's own view (smaps: a
// /secretmem mapping or none) is checked beside inspect().backing. The control is the child
// without the variable, where the same secrets are in secret memory.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nativeHost } from '../../src/default-memory.js';
import { expectFreshBuild } from '../helpers/fresh-build.js';
import { lastJson, run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/secret-memory-switch.mjs', import.meta.url));
const available = nativeHost().capabilities().secretMemory === true;

interface Seen {
  backing?: string;
  secretmem?: boolean;
  error?: string;
  message?: string;
}
type Report = Record<'buffer' | 'heapSecret' | 'afterEnvChange', Seen> & {
  heap?: Seen;
  required?: Seen;
  anySecretmem: boolean;
};

async function child(value: string | undefined, ...args: string[]): Promise<Report> {
  expectFreshBuild();
  const env = { ...process.env };
  delete env.MEMSHIELD_SECRET_MEMORY;
  if (value !== undefined) env.MEMSHIELD_SECRET_MEMORY = value;
  const result = await run(process.execPath, [FIXTURE, ...args], { env });
  expect(result.stderr).toBe('');
  return lastJson<Report>(result);
}

const SECRET = { backing: 'secret-memory', secretmem: true };
const ORDINARY = { backing: 'anonymous', secretmem: false };

describe.runIf(available)('MEMSHIELD_SECRET_MEMORY (memfd_secret works here)', () => {
  it(
    'unset: SecureBuffer and SecureHeap secrets are in ' + 'secret memory, and smaps shows /secretmem (the control)',
    async () => {
      const report = await child(undefined);
      expect(report).toMatchObject({ buffer: SECRET, heapSecret: SECRET, afterEnvChange: SECRET, anySecretmem: true });
    },
  );

  it(
    'off: ordinary locked pages, and no /secretmem mapping anywhere ' +
      'in the process; changing process.env later changes nothing',
    async () => {
      const report = await child('off');
      expect(report).toMatchObject({
        buffer: ORDINARY,
        heapSecret: ORDINARY,
        afterEnvChange: ORDINARY,
        anySecretmem: false,
      });
    },
  );

  it("off, with { secretMemory: 'required' } in code: the explicit option wins", async () => {
    const report = await child('off', 'required');
    expect(report).toMatchObject({ buffer: ORDINARY, required: SECRET, anySecretmem: true });
  });

  it('required: secret memory, as the option would give', async () => {
    expect(await child('required')).toMatchObject({ buffer: SECRET, heapSecret: SECRET, anySecretmem: true });
  });

  it(
    'an unknown value: every default allocation is refused with ' +
      'INVALID_ARGUMENT naming the variable, not echoing the value',
    async () => {
      const report = await child('bogus-value');
      expect(report.buffer).toMatchObject({ error: 'INVALID_ARGUMENT' });
      expect(report.heap).toMatchObject({ error: 'INVALID_ARGUMENT' }); // new SecureHeap() too
      expect(report.buffer.message).toMatch(
        /MEMSHIELD_SECRET_MEMORY must be off, preferred or required, got a string of 11 characters/,
      );
      expect(report.buffer.message).not.toContain('bogus');
      expect(report.anySecretmem).toBe(false);
    },
  );
});
