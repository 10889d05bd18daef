// `npm test` runs the cross-runtime check: the same seeded scenario under Node, Bun and Deno (with
// -A and with memshield's minimal permissions) and in a headless Chromium page and Web Worker and in workerd
// must give byte-identical traces, canaries, addresses and errors. The control gives one runtime another
// seed and the check must then fail.
// Then Deno with the minimal permissions on the native host: what works, and what a missing
// permission gives (a MemoryProtectionError naming the flag, never Deno's NotCapable or a number
// memshield could not read), each beside the run with the permission (the control).
import { fileURLToPath } from 'node:url';
import { getuid } from 'node:process';
import { describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';
import { expectFreshBuild } from '../helpers/fresh-build.js';
import { nativeHost } from '../../src/default-memory.js';

const script = fileURLToPath(new URL('../../scripts/cross-runtime.mjs', import.meta.url));

interface Summary {
  identical: boolean;
  runtimes: Array<{ runtime: string; version?: string; sha256?: string; error?: string }>;
  traceEntries?: number;
}

describe('the cross-runtime check', () => {
  it(
    'finds Node, Bun, Deno, a Chromium page, a Chromium worker ' +
      'and workerd give byte-identical output for the same seed',
    async () => {
      expectFreshBuild();
      const result = await run(process.execPath, [script, '--json']);
      const summary = lastJson<Summary>(result);
      expect(summary.runtimes.map((entry) => [entry.runtime, entry.error])).toEqual([
        ['node', undefined],
        ['bun', undefined],
        ['deno', undefined],
        ['deno-minimal', undefined],
        ['chromium-page', undefined],
        ['chromium-worker', undefined],
        ['workerd', undefined],
      ]);
      expect(summary.identical).toBe(true);
      expect(result.status).toBe(0);
      expect(summary.traceEntries).toBeGreaterThan(30);
    },
  );

  it('fails when workerd differs (the control for the workerd row)', async () => {
    const result = await run(process.execPath, [script, '--json', '--skew', 'workerd']);
    const summary = lastJson<Summary>(result);
    expect(summary.identical).toBe(false);
    expect(new Set(summary.runtimes.map((entry) => entry.sha256)).size).toBe(2);
  });

  it('fails when the Chromium worker differs (the control for the browser rows)', async () => {
    const result = await run(process.execPath, [script, '--json', '--skew', 'chromium-worker']);
    const summary = lastJson<Summary>(result);
    expect(summary.identical).toBe(false);
    expect(summary.runtimes.find((entry) => entry.runtime === 'chromium-worker')?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(summary.runtimes.map((entry) => entry.sha256)).size).toBe(2);
  });

  it('fails when one runtime differs (the control)', async () => {
    const result = await run(process.execPath, [script, '--json', '--skew', 'bun']);
    const summary = lastJson<Summary>(result);
    expect(summary.identical).toBe(false);
    expect(result.status).toBe(1);
    expect(new Set(summary.runtimes.map((entry) => entry.sha256)).size).toBe(2);
  });
});

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DENO = `${ROOT}node_modules/.bin/deno`;
const FIXTURE = fileURLToPath(new URL('../fixtures/deno-permissions.mjs', import.meta.url));
/** memshield's minimal Deno permissions (docs/platforms.md), for this folder. */
const MINIMAL = ['--allow-ffi', `--allow-read=${ROOT}dist,${ROOT}node_modules`];
/** An unprivileged child with no locked memory allowed; as root also without CAP_IPC_LOCK. */
const NO_LOCKING = [
  'prlimit',
  '--memlock=0:0',
  ...(getuid?.() === 0
    ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all']
    : []),
];

interface Failure {
  error: string;
  code: string;
  message: string;
}
type DenoReport = Record<'secureBuffer' | 'heapSecretMemoryBytes' | 'inspect', number | boolean | Failure>;

async function deno(
  permissions: string[],
  { wrapper = [] as string[], env = {} as Record<string, string> } = {},
): Promise<DenoReport> {
  const command = [...wrapper, DENO, 'run', ...permissions, FIXTURE];
  const environment = { ...process.env, ...env };
  if (!('MEMSHIELD_SECRET_MEMORY' in env)) delete environment.MEMSHIELD_SECRET_MEMORY;
  const result = await run(command[0], command.slice(1), { env: environment });
  expect(result.stderr).toBe('');
  return lastJson<DenoReport>(result);
}

describe.runIf(process.platform === 'linux')(
  "Deno with memshield's minimal permissions (--allow-ffi, --allow-read of node_modules)",
  () => {
    it(
      'makes, uses and disposes secrets on the native host; inspect() ' +
        'is NOT_SUPPORTED naming --allow-all, never NotCapable',
      async () => {
        expectFreshBuild();
        const report = await deno(MINIMAL);
        expect(report.secureBuffer).toBe(7);
        expect(report.heapSecretMemoryBytes).toBe(nativeHost().capabilities().secretMemory ? 4096 : 0);
        expect(report.inspect).toMatchObject({ error: 'MemoryProtectionError', code: 'NOT_SUPPORTED' });
        expect((report.inspect as Failure).message).toMatch(
          /\/proc\/self\/smaps, and this runtime refused to read it\. Run with --allow-all/,
        );
        expect(JSON.stringify(report)).not.toContain('NotCapable');
      },
    );

    it('inspect() works with -A (the control), the kernel showing the data pages locked', async () => {
      expect((await deno(['-A'])).inspect).toBe(true);
    });

    it('without --allow-ffi: NOT_SUPPORTED naming --allow-ffi', async () => {
      const report = await deno([`--allow-read=${ROOT}dist,${ROOT}node_modules`]);
      expect(report.secureBuffer).toMatchObject({ code: 'NOT_SUPPORTED' });
      expect((report.secureBuffer as Failure).message).toContain('--allow-ffi');
    });

    it(
      'at the memlock limit: LOCK_FAILED says what is locked now is unknown ' +
        'and why, not "0 bytes"; with -A it says the number (the control)',
      async () => {
        const minimal = (await deno(MINIMAL, { wrapper: NO_LOCKING })).secureBuffer as Failure;
        expect(minimal.code).toBe('LOCK_FAILED');
        expect(minimal.message).toContain(
          'the memlock limit is 0 bytes (soft) / 0 bytes (hard) and what this process has locked now is unknown ' +
            '(the runtime refused to read /proc/self/status; run it with --allow-all)',
        );
        expect(minimal.message).not.toMatch(/bytes locked now/);
        const all = (await deno(['-A'], { wrapper: NO_LOCKING })).secureBuffer as Failure;
        expect(all.message).toMatch(/and this process has 0 bytes locked now/);
      },
    );

    it.runIf(nativeHost().capabilities().secretMemory)(
      'MEMSHIELD_SECRET_MEMORY=off is read only with ' +
        '--allow-env=MEMSHIELD_SECRET_MEMORY; without it the built-in default stays',
      async () => {
        const env = { MEMSHIELD_SECRET_MEMORY: 'off' };
        expect((await deno([...MINIMAL, '--allow-env=MEMSHIELD_SECRET_MEMORY'], { env })).heapSecretMemoryBytes).toBe(
          0,
        );
        expect((await deno(MINIMAL, { env })).heapSecretMemoryBytes).toBe(4096);
      },
    );
  },
);
