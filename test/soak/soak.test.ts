// The soak in npm test: a shorter run of scripts/soak.mjs (npm run soak runs 1,000,000 operations)
// in a child process — random operations of every kind on the public API against a model, with
// fixed seeds — must end back at the baseline with only predicted errors and the model equal to
// inspect() and smaps at every checkpoint. The controls break one check each on purpose and must
// be reported: a model that drifts from memshield, a region left allocated, a wrongly predicted error.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/kernel.js';

const SOAK = fileURLToPath(new URL('../../scripts/soak.mjs', import.meta.url));

interface SoakReport {
  ok: boolean;
  operations: number;
  checkpoints: number;
  secretMemory: boolean;
  counts: Record<string, number>;
  expectedErrors: Record<string, number>;
  baseline: Record<string, number>;
  after: Record<string, number>;
  mappingsMade: number;
  problems: string[];
}

async function soak(...args: string[]): Promise<{ report: SoakReport; status: number | null }> {
  const child = await run(process.execPath, ['--expose-gc', SOAK, '--json', ...args]);
  const line = child.stdout.trim().split('\n').at(-1);
  if (!line?.startsWith('{')) throw new Error(`the soak printed no report (${child.status}): ${child.stderr}`);
  return { report: JSON.parse(line) as SoakReport, status: child.status };
}

const OPERATION_KINDS = [
  'allocate',
  'free',
  'protect',
  'lock',
  'unlock',
  'write',
  'read',
  'secureClear',
  'inspect',
  'SecureBuffer.from/alloc',
  'use',
  'update',
  'equals',
  'dispose',
  'heap.alloc/from',
  'heap flush/trim/destroy',
  'bad input',
];

describe('soak: 40,000 random operations, seeds 11 and 12', () => {
  let result: Awaited<ReturnType<typeof soak>>;
  beforeAll(async () => {
    result = await soak('--operations', '40000', '--seeds', '11,12', '--check-every', '5000');
  });

  it(
    'ends back at the baseline, with only predicted errors ' + 'and the model equal to inspect and smaps throughout',
    () => {
      expect(result.report.problems).toEqual([]);
      expect(result.report.ok).toBe(true);
      expect(result.status).toBe(0);
      expect(result.report.checkpoints).toBeGreaterThanOrEqual(8);
    },
  );

  it('did every kind of operation, and met every kind of predicted error', () => {
    const { counts, expectedErrors, operations } = result.report;
    expect(operations).toBe(40000);
    for (const kind of OPERATION_KINDS) expect(counts[kind] ?? 0, kind).toBeGreaterThan(0);
    const codes = ['INVALID_ARGUMENT', 'ACCESS_DENIED', 'OUT_OF_BOUNDS', 'USE_AFTER_FREE', 'DOUBLE_FREE'];
    // unlock / execute on secret memory
    if (result.report.secretMemory) codes.push('NOT_SUPPORTED', 'PROTECTION_FAILED');
    for (const code of codes) expect(expectedErrors[code] ?? 0, code).toBeGreaterThan(0);
    expect(result.report.mappingsMade).toBeGreaterThan(1000);
  });

  it(
    'gave back every locked byte and every memshield mapping ' +
      "(exact), and stayed within V8's tolerance for the rest",
    () => {
      const { baseline, after } = result.report;
      expect(after.vmLocked).toBe(baseline.vmLocked);
      expect(after.dontDumpEntries).toBe(baseline.dontDumpEntries);
      expect(after.secretMemoryEntries).toBe(baseline.secretMemoryEntries);
    },
  );
});

describe('soak controls: each check does fail when its condition is broken', () => {
  it('a model that drifts from memshield is reported (inspect and smaps both disagree)', async () => {
    const { report, status } = await soak(
      '--operations',
      '4000',
      '--seeds',
      '3',
      '--check-every',
      '1000',
      '--control',
      'drift',
    );
    expect(status).toBe(1);
    expect(report.problems.some((problem) => /inspect says .*, the model/.test(problem))).toBe(true);
    expect(report.problems.some((problem) => /smaps shows .* for its data pages, the model/.test(problem))).toBe(true);
  });

  it(
    'a Secure region left allocated is reported: VmLck, the ' + 'dump-excluded mappings, stats and the mapping ledger',
    async () => {
      const { report, status } = await soak(
        '--operations',
        '4000',
        '--seeds',
        '3',
        '--check-every',
        '1000',
        '--control',
        'leak',
      );
      expect(status).toBe(1);
      expect(report.problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^VmLck is \d+ bytes, was \d+$/),
          expect.stringMatching(/dump-excluded mappings, were/),
          expect.stringMatching(/^PlatformMemory.stats\(\) is .*"liveRegions":1/),
          expect.stringMatching(/still holds 1 mappings/),
          expect.stringMatching(/still mapped, never unmapped by memshield: [0-9a-f]+-[0-9a-f]+ /),
        ]),
      );
    },
  );

  it('an unmap that answers 0 but leaves the range mapped is reported, right after the call', async () => {
    const { report, status } = await soak(
      '--operations',
      '4000',
      '--seeds',
      '3',
      '--check-every',
      '1000',
      '--control',
      'unmap-skipped',
    );
    expect(status).toBe(1);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^still mapped right after memshield unmapped it: [0-9a-f]+-[0-9a-f]+ /),
      ]),
    );
  });

  it('an error other than the predicted one is reported with its seed and operation number', async () => {
    const { report, status } = await soak(
      '--operations',
      '4000',
      '--seeds',
      '3',
      '--check-every',
      '1000',
      '--control',
      'unexpected',
    );
    expect(status).toBe(1);
    expect(report.problems).toEqual([
      expect.stringMatching(/^seed 3, operation \d+ \(bad input\): unexpected [A-Z_]+: /),
    ]);
  });
});
