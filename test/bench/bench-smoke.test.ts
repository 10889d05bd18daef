// The benchmark runs end to end — floor.c compiled, every case a handful of iterations with
// --quick, the strace audit — and reports the table and JSON shape the README and machines rely
// on. Nothing here asserts a timing; the syscall counts it checks are exact facts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'memshield-bench-smoke-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// A count case (the shape the "live secrets until failure" row will take), added with --file.
const COUNT_CASE = `export default { order: 999, cases: [{
  kind: 'count', id: 'smoke-count', title: 'smoke count', unit: 'things',
  measure: async () => ({ memshield: 7, sodium: 3 }), targets: { atLeast: 5 },
}] };\n`;

/** The cases every run must report (the list, and the standalone SecureBuffer's rows). */
const REQUIRED = [
  'secure-allocate-free-32',
  'regular-allocate-free-32',
  'protect-toggle',
  'protect-same-level',
  'lock-unlock-64k',
  'write-1kib',
  'read-1kib',
  'read-into-1kib',
  'write-1mib',
  'read-1mib',
  'read-into-1mib',
  'secure-clear-1m',
  'secure-buffer-alloc-dispose-32',
  'secure-buffer-use-32',
  'heap-use-32',
  'heap-alloc-free-32',
  'heap-alloc-free-tick-32',
  'heap-live-secrets-32',
];

type Summary = { median: number; p10: number; p90: number; samples: number };
type Side = { calls: Record<string, number>; total: number };
interface CaseResult {
  id: string;
  title: string;
  kind: string;
  skipped?: string;
  error?: string;
  memshield?: Summary;
  floor?: Summary | null;
  sodium?: Summary | null;
  ratio?: Record<string, Summary>;
  syscalls?: { memshield: Side; floor?: Side; sodium?: Side; hostCalls: Record<string, number> };
  counts?: Record<string, number>;
  details?: Record<string, string>;
  facts?: Record<string, LiveFacts>;
  verdicts: Record<string, boolean>;
}
/** What the live-secrets child of each side found (bench/heap.bench.mjs). */
interface LiveFacts {
  reached: number;
  lockedSecrets: number | null;
  end: string;
  process: { limit: number; uid: number };
  atEnd?: {
    allLocked: boolean;
    allNoAccessAtRest: boolean;
    intact: boolean;
    vmLockedBytes: number;
    heapLockedBytes: number;
  };
}

function runBench(): {
  report: { schema: number; machine: Record<string, unknown>; options: Record<string, unknown>; cases: CaseResult[] };
  saved: string;
} {
  if (!existsSync(join(ROOT, 'dist/src/index.js')))
    throw new Error('the benchmark loads dist/: run npm run build first');
  const fixture = join(scratch, 'count.bench.mjs');
  writeFileSync(fixture, COUNT_CASE);
  // A fresh output directory: floor.c is compiled by this run, and latest.json lands there.
  const stdout = execFileSync(
    process.execPath,
    ['--expose-gc', join(ROOT, 'bench/run.mjs'), '--quick', '--json', '--file', fixture],
    {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
      env: { ...process.env, MEMSHIELD_BENCH_OUT: scratch },
    },
  );
  expect(existsSync(join(scratch, 'floor'))).toBe(true);
  return { report: JSON.parse(stdout), saved: readFileSync(join(scratch, 'latest.json'), 'utf8') };
}

describe('npm run bench -- --quick --json', () => {
  let report: ReturnType<typeof runBench>['report'];
  let saved: string;
  let byId: Map<string, CaseResult>;
  beforeAll(() => {
    ({ report, saved } = runBench());
    byId = new Map(report.cases.map((result) => [result.id, result]));
  });

  it('prints the same JSON it saves, with the machine and the options', () => {
    expect(JSON.parse(saved)).toEqual(report);
    expect(report.schema).toBe(1);
    expect(report.machine).toMatchObject({ node: process.version, cores: expect.any(Number), cpu: expect.any(String) });
    expect(String(report.machine.compiler)).not.toBe('');
    expect(report.options).toMatchObject({ quick: true, rounds: 3, iterations: 3 });
    expect(String(report.options.audit)).toMatch(/^strace/);
  });

  it('reports every case of the issue, none failed, each timed side as median and spread per round', () => {
    for (const id of REQUIRED) expect(byId.has(id), id).toBe(true);
    for (const result of report.cases.filter((each) => each.kind === 'time' && !each.skipped)) {
      expect(result.error, result.id).toBeUndefined();
      for (const side of ['memshield', 'floor', 'sodium'] as const) {
        const summary = result[side];
        if (summary === null) continue; // the case has no such side
        expect(summary, `${result.id} ${side}`).toMatchObject({ samples: 3 });
        expect(summary!.p10 <= summary!.median && summary!.median <= summary!.p90, `${result.id} ${side}`).toBe(true);
        if (side !== 'memshield') expect(result.ratio![side].samples, `${result.id} ratio ${side}`).toBe(3);
      }
    }
    expect(byId.get('secure-allocate-free-32')).toMatchObject({ floor: { samples: 3 }, sodium: { samples: 3 } });
    expect(byId.get('protect-same-level')!.floor).toBeNull();
  });

  it('audits syscalls: the floor issues what memshield issues, and protect to the current level issues none', () => {
    const toggle = byId.get('protect-toggle')!.syscalls!;
    expect(toggle.memshield).toEqual({ calls: { mprotect: 2 }, total: 2 }); // control: the audit sees mprotect
    expect(toggle.floor).toEqual(toggle.memshield);
    expect(toggle.hostCalls).toEqual({ protect: 2 });
    const same = byId.get('protect-same-level')!;
    expect(same.syscalls!.memshield.total).toBe(0);
    expect(same.verdicts.syscalls).toBe(true);
    const allocate = byId.get('secure-allocate-free-32')!.syscalls!;
    expect(allocate.floor!.calls).toEqual(allocate.memshield.calls);
    expect(allocate.memshield.calls).toMatchObject({ mmap: 1, munmap: 1, mlock: 1 });
    expect(allocate.sodium!.calls.munmap).toBeGreaterThanOrEqual(1); // its deferred free did run (its GC may add more)
  });

  it(
    'audits the SecureBuffer rows: use() opens and closes the ' +
      'same pages as its floor, the heap maps nothing per secret',
    () => {
      for (const id of ['secure-buffer-use-32', 'heap-use-32']) {
        const use = byId.get(id)!.syscalls!;
        expect(use.memshield, id).toEqual({ calls: { mprotect: 2 }, total: 2 });
        expect(use.floor, id).toEqual(use.memshield);
        expect(use.sodium, id).toEqual(use.memshield); // sodium_mprotect_readonly + _noaccess
        expect(use.hostCalls, id).toEqual({ protect: 2 });
      }
      const standalone = byId.get('secure-buffer-alloc-dispose-32')!.syscalls!;
      expect(standalone.floor!.calls).toEqual(standalone.memshield.calls);
      // The free decommits (mmap MAP_FIXED) and holds the range; its munmap comes when the cap is passed.
      expect(standalone.memshield.calls).toMatchObject({ mmap: 2, mlock: 1 });
      // Control for the host counts: a standalone buffer maps, locks and decommits through the host.
      const perSecret = ['map', 'unmap', 'decommit', 'lock', 'unlock', 'advise'];
      expect(perSecret.filter((call) => call in standalone.hostCalls && call !== 'unmap')).toEqual([
        'map',
        'decommit',
        'lock',
        'advise',
      ]);
      for (const id of ['heap-alloc-free-32', 'heap-alloc-free-tick-32']) {
        const heap = byId.get(id)!.syscalls!;
        // Control: sodium's side of the same row maps and unmaps (the audit sees those calls).
        expect(heap.sodium!.calls.mmap, id).toBeGreaterThanOrEqual(1);
        expect(
          Object.keys(heap.memshield.calls).filter((call) => call !== 'mprotect'),
          id,
        ).toEqual([]);
        expect(
          perSecret.filter((call) => call in heap.hostCalls),
          id,
        ).toEqual([]);
      }
    },
  );

  it('counts live secrets in unprivileged children: every memshield secret locked, sodium measured by VmLck', () => {
    const live = byId.get('heap-live-secrets-32')!;
    // this machine cannot drop privileges
    if (live.skipped) return expect(live.skipped).toMatch(/may not drop|POSIX|cannot read/);
    const { memshield, sodium } = live.facts!;
    expect(live.counts).toEqual({ memshield: memshield.reached, sodium: sodium.reached });
    expect(memshield.lockedSecrets).toBe(memshield.reached);
    expect(memshield.atEnd).toMatchObject({ allLocked: true, allNoAccessAtRest: true, intact: true });
    expect(memshield.atEnd!.vmLockedBytes).toBe(memshield.atEnd!.heapLockedBytes); // the kernel agrees with the heap
    expect(memshield.reached).toBe(memshield.process.limit); // --quick: a small limit, reached
    // Control: the VmLck count sees sodium's locked pages (up to the memlock limit, not past it).
    expect(sodium.lockedSecrets).toBeGreaterThan(0);
    expect(sodium.lockedSecrets).toBeLessThanOrEqual(sodium.reached);
    expect(live.details!.memshield).toMatch(/^all locked, /);
    expect(live.details!.sodium).toMatch(/locked, /);
  });

  it('carries count cases through, and formats one table row per case', async () => {
    expect(byId.get('smoke-count')).toMatchObject({
      kind: 'count',
      unit: 'things',
      counts: { memshield: 7, sodium: 3 },
      verdicts: { atLeast: true },
    });
    const { formatTable } = await import('../../bench/lib/report.mjs');
    const table = formatTable(report).split('\n');
    for (const result of report.cases)
      expect(
        table.filter((line: string) => line.startsWith(`| ${result.title} |`)),
        result.id,
      ).toHaveLength(1);
    expect(table.find((line: string) => line.startsWith('| smoke count |'))).toContain('7 things');
  });
});
