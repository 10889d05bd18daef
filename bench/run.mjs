#!/usr/bin/env node
// memshield's benchmark: every case of every bench/*.bench.mjs, side by side with the floor (the
// same system calls from C, bench/floor.c) and sodium-native, measured in interleaved rounds in
// one run; then a strace audit of the system calls per operation. Progress goes to stderr, the
// table (or with --json the JSON) to stdout, and the JSON always to bench/out/latest.json.
//
//   npm run bench [-- --json] [-- --quick] [-- --only protect,read] [-- --rounds 31]
//                 [-- --batch-ms 20] [-- --no-audit] [-- --file more-cases.bench.mjs] [-- --out file]
//                 [-- --compare bench/baseline.json [-- --band 0.85]]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { auditSyscalls, straceAvailable } from './lib/audit.mjs';
import { createEnv, loadCaseGroups, selectCases } from './lib/cases.mjs';
import { compareReports, NOISE_BAND } from './lib/compare.mjs';
import { buildFloor, FloorProcess, OUT_DIR } from './lib/floor.mjs';
import { measureTimed } from './lib/measure.mjs';
import { describeMachine, formatTable, summarize, verdicts } from './lib/report.mjs';

// sodium_free unmaps only when the garbage collector runs: the benchmark forces it.
if (typeof globalThis.gc !== 'function') {
  const again = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.exit(again.status ?? 1);
}

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true, default: [] },
    rounds: { type: 'string' },
    'batch-ms': { type: 'string' },
    'no-audit': { type: 'boolean', default: false },
    file: { type: 'string', multiple: true },
    out: { type: 'string', default: `${OUT_DIR}/latest.json` },
    compare: { type: 'string' },
    band: { type: 'string', default: String(NOISE_BAND) },
  },
});
// Read before the run: a missing or broken file is reported now, not after minutes of timing.
const baseline = args.compare ? JSON.parse(readFileSync(args.compare, 'utf8')) : undefined;

const options = {
  quick: args.quick,
  // Odd counts, so the median is a measured round.
  rounds: Number(args.rounds ?? (args.quick ? 3 : 21)),
  batchMs: Number(args['batch-ms'] ?? 20),
  iterations: args.quick ? 3 : undefined, // --quick: a handful of iterations, no calibration
  auditIterations: args.quick ? 10 : 200,
};

const tty = process.stderr.isTTY;
function progress(text, final = false) {
  if (tty) process.stderr.write(`\r\x1b[K${text}${final ? '\n' : ''}`);
  else if (final) process.stderr.write(`${text}\n`);
}

const extraFiles = (args.file ?? []).map((file) => resolve(file));
const cases = selectCases(
  await loadCaseGroups({ extraFiles }),
  args.only.flatMap((item) => item.split(',')),
);
if (cases.length === 0) throw new Error(`no case matches --only ${args.only.join(',')}`);
const { binary, compiler } = buildFloor();
const floor = new FloorProcess(binary);
const env = await createEnv({ quick: options.quick });

const results = [];
try {
  for (const [index, kase] of cases.entries()) {
    const label = `[${index + 1}/${cases.length}] ${kase.title}`;
    const result = {
      id: kase.id,
      title: kase.title,
      kind: kase.kind ?? 'time',
      targets: kase.targets ?? {},
      note: kase.note,
    };
    results.push(result);
    const skipped = kase.skip?.(env);
    if (skipped) {
      result.skipped = skipped;
      progress(`${label}: skipped (${skipped})`, true);
      continue;
    }
    try {
      if (kase.kind === 'count') {
        progress(`${label}: counting…`);
        const { details, facts, ...counts } = await kase.measure(env);
        Object.assign(result, { unit: kase.unit, counts, details, facts });
      } else {
        const state = kase.setup ? kase.setup(env) : env;
        try {
          const measured = await measureTimed(kase, state, floor, env, options, (round, rounds) =>
            progress(`${label}: round ${round}/${rounds}`),
          );
          Object.assign(result, { bytes: kase.bytes, floor: null, sodium: null, ...measured });
        } finally {
          kase.teardown?.(state, env);
        }
      }
      progress(`${label}: done`, true);
    } catch (error) {
      result.error = error.message;
      progress(`${label}: FAILED ${error.message}`, true);
    }
  }
} finally {
  await floor.close();
}

let audit = 'skipped (--no-audit)';
if (!args['no-audit']) {
  if (!straceAvailable()) {
    audit = 'skipped (strace is missing or cannot trace here)';
  } else {
    progress('syscall audit (strace)…');
    const audited = cases.filter((kase) => !results.find((result) => result.id === kase.id)?.skipped);
    const counts = await auditSyscalls({
      cases: audited,
      floorBinary: binary,
      iterations: options.auditIterations,
      extraFiles,
    });
    for (const result of results) if (counts[result.id]) result.syscalls = counts[result.id];
    audit = `strace, ${options.auditIterations} iterations per case and side`;
    progress('syscall audit (strace): done', true);
  }
}

for (const result of results) result.verdicts = verdicts(result);
const report = {
  schema: 1,
  date: new Date().toISOString(),
  machine: describeMachine(compiler),
  options: {
    quick: options.quick,
    rounds: options.rounds,
    batchMs: options.iterations ? undefined : options.batchMs,
    iterations: options.iterations,
    audit,
  },
  cases: results,
  summary: summarize(results),
};

const json = `${JSON.stringify(report, null, 2)}\n`;
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, json);
process.stdout.write(args.json ? json : `${formatTable(report)}\n`);
process.exitCode = report.summary.failed.length ? 1 : 0;
if (baseline) {
  const { lines, regressions } = compareReports(baseline, report, Number(args.band));
  // With --json, stdout stays pure JSON: the comparison goes to stderr.
  (args.json ? process.stderr : process.stdout).write(`\n${lines.join('\n')}\n`);
  if (regressions.length) process.exitCode = 1;
}
