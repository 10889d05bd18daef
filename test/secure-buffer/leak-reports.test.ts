// Leak reports: SecureBuffers (standalone and in a heap) and SecureHeaps that the garbage collector
// reclaims without dispose()/destroy() are wiped, freed and reported as MEMSHIELD_LEAK warnings —
// with their creation site when tracing is on, once with a count when it is off. A child run with
// --expose-gc (test/fixtures/leak-reports.mjs) drops them; the controls in the same child: a
// disposed buffer and a reachable one are never reported, and the reachable one still works.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configureLeakReports } from '../../src/index.js';
import { errorOf } from '../helpers/errors.js';
import { lastJson, run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/leak-reports.mjs', import.meta.url));

interface Warning {
  code: string;
  name: string;
  message: string;
}
interface Report {
  warnings: Warning[];
  warningsAfterFirstRound: number;
  lockedWithKept: number;
  lockedWithLeaks: number;
  lockedAtEnd: number;
  heapLive: number;
  heapPending: number;
  keptStillReadable: boolean;
}

async function child(mode: 'traced' | 'configured' | 'untraced'): Promise<Report> {
  const env = { ...process.env, MEMSHIELD_TRACE_LEAKS: mode === 'traced' ? '1' : '0' };
  const result = await run(process.execPath, ['--expose-gc', FIXTURE, mode], { env });
  expect(result.status, result.stderr).toBe(0);
  return lastJson<Report>(result);
}

/** Every leak drop gave back its locked pages: VmLck as it was with only the reachable buffer and heap. */
function expectFreed(report: Report): void {
  expect(report.lockedWithLeaks).toBeGreaterThan(report.lockedWithKept); // the control: the leaks did hold locked pages
  expect(report.lockedAtEnd).toBe(report.lockedWithKept);
  expect(report.heapLive).toBe(0); // the leaked heap secret's slot was freed …
  expect(report.heapPending).toBe(0); // … and wiped
  expect(report.keptStillReadable).toBe(true);
}

describe('leak reports (a child with --expose-gc)', () => {
  it.each(['traced', 'configured'] as const)(
    '%s: one warning per leak naming the function that created it, the disposed and reachable ones never',
    async (mode) => {
      const report = await child(mode);
      expectFreed(report);
      const leaks = report.warnings.filter((warning) => warning.code === 'MEMSHIELD_LEAK');
      expect(leaks).toHaveLength(report.warnings.length);
      const byMaker = (name: string) => leaks.filter((warning) => warning.message.includes(`at ${name} (`));
      expect(byMaker('makeLeakyKey')).toHaveLength(3);
      expect(byMaker('makeLeakyKey')[0].message).toMatch(
        /^a SecureBuffer of 32 bytes was garbage-collected without dispose\(\)/,
      );
      expect(byMaker('makeLeakyHeapSecret')).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/^a SecureBuffer of 24 bytes \(in a SecureHeap\)/) }),
      ]);
      expect(
        byMaker('makeLeakyHeap')
          .map((warning) => warning.message.split(' was ')[0])
          .sort(),
      ).toEqual(['a SecureBuffer of 16 bytes (in a SecureHeap)', 'a SecureHeap']);
      expect(byMaker('makeDisposedKey')).toEqual([]); // the control: disposed, so no leak
      expect(leaks.every((warning) => warning.message.includes('leak-reports.mjs:'))).toBe(true);
      // memshield's own frames are left out
      expect(leaks.some((warning) => /dist\/src|src\/secure-/.test(warning.message))).toBe(false);
      expect(leaks).toHaveLength(6);
    },
  );

  it(
    'untraced: one warning for the process, with the count and how ' +
      'to turn tracing on; later leaks are wiped but not announced',
    async () => {
      const report = await child('untraced');
      expectFreed(report);
      expect(report.warnings).toEqual([
        {
          code: 'MEMSHIELD_LEAK',
          name: 'MemshieldLeakWarning',
          message: expect.stringMatching(
            new RegExp(
              '^\\d+ SecureBuffer or SecureHeap objects? (was|were) ' +
                'garbage-collected without dispose\\(\\)/destroy\\(\\).*MEMSHIELD_TRACE_LEAKS=1',
            ),
          ),
        },
      ]);
      // The count is of the leaks collected before the warning's timer ran: the first collection
      // finds the four buffers and a heap only once its buffer's finalizer let go of it.
      const counted = Number(/^\d+/.exec(report.warnings[0].message)?.[0]);
      expect(counted).toBeGreaterThanOrEqual(1);
      expect(counted).toBeLessThanOrEqual(5);
      expect(report.warnings[0].message).not.toContain('makeLeakyKey');
      expect(report.warningsAfterFirstRound).toBe(1);
    },
  );

  it('configureLeakReports refuses anything but { trace: boolean }', () => {
    expect(errorOf(() => configureLeakReports({ trace: 'yes' as unknown as boolean }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('trace must be true or false'),
    });
    expect(errorOf(() => configureLeakReports(undefined as never))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(errorOf(() => configureLeakReports({ trace: false }))).toBeUndefined();
  });
});
