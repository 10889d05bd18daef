// --compare's verdicts (bench/lib/compare.mjs) on made-up reports: a case regresses only when
// its time and its ratio to the floor both grew beyond the band; a machine slower as a whole
// (time up, ratio unchanged) is not a regression. No timing is measured here.
import { describe, expect, it } from 'vitest';
import { compareReports } from '../../bench/lib/compare.mjs';

const summary = (median: number) => ({ median, p10: median, p90: median, samples: 3 });

function report(cases: object[]) {
  return { date: '2026-12-05', machine: { commit: 'abc1234' }, cases };
}

function timed(id: string, memshield: number, ratioToFloor?: number) {
  return {
    id,
    title: id,
    kind: 'time',
    memshield: summary(memshield),
    ratio: ratioToFloor === undefined ? {} : { floor: summary(ratioToFloor) },
  };
}

describe('bench --compare', () => {
  const before = report([
    timed('write', 100, 1.2),
    timed('hmac', 1000),
    { id: 'live', title: 'live', kind: 'count', counts: { memshield: 1000 } },
  ]);

  it('finds no regression in a run equal to the baseline (control for the cases below)', () => {
    expect(compareReports(before, before, 0.25).regressions).toEqual([]);
  });

  it('flags a case whose time and ratio to the floor both grew beyond the band', () => {
    const after = report([
      timed('write', 140, 1.7),
      timed('hmac', 1000),
      { id: 'live', title: 'live', kind: 'count', counts: { memshield: 1000 } },
    ]);
    const { regressions, lines } = compareReports(before, after, 0.25);
    expect(regressions).toEqual(['write']);
    expect(lines.find((line) => line.startsWith('| write |'))).toContain('REGRESSED');
  });

  it('does not flag a machine that is slower as a whole: the time grew, the ratio did not', () => {
    const after = report([
      timed('write', 200, 1.25),
      timed('hmac', 1100),
      { id: 'live', title: 'live', kind: 'count', counts: { memshield: 1000 } },
    ]);
    expect(compareReports(before, after, 0.25).regressions).toEqual([]);
  });

  it('judges a case without a floor by its time, and a count by its drop', () => {
    const after = report([
      timed('write', 100, 1.2),
      timed('hmac', 1500),
      { id: 'live', title: 'live', kind: 'count', counts: { memshield: 500 } },
    ]);
    expect(compareReports(before, after, 0.25).regressions).toEqual(['hmac', 'live']);
  });

  it('lists a case the baseline did not have as new, without a verdict', () => {
    const after = report([...before.cases, timed('new-case', 10)]);
    const { regressions, lines } = compareReports(before, after, 0.25);
    expect(regressions).toEqual([]);
    expect(lines.find((line) => line.startsWith('| new-case |'))).toContain('new case');
  });
});

describe('bench targets in nanoseconds', () => {
  it("judge memshield's median against the most nanoseconds a case may take", async () => {
    const { verdicts } = await import('../../bench/lib/report.mjs');
    expect(verdicts({ targets: { ns: 100 }, memshield: summary(99) })).toEqual({ ns: true });
    expect(verdicts({ targets: { ns: 100 }, memshield: summary(101) })).toEqual({ ns: false }); // control
  });
});
