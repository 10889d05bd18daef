#!/usr/bin/env node
// npm run soak: a million random operations on memshield's public API — allocations of every
// type, protect, lock, write, read, clear, scoped access, heap alloc/free, bad inputs — with fixed
// seeds, against a model of what each should do. Afterwards the mappings, VmLck and RSS must be
// back at the baseline, no error but the predicted ones may have occurred, and the model must have
// equalled inspect() and /proc/self/smaps at every checkpoint. Prints a table, then one JSON line.
//
//   node --expose-gc scripts/soak.mjs [--operations N] [--seeds 1,2,3,4] [--check-every N]
//                                     [--json] [--control drift|leak|unexpected|unmap-skipped]
//
// Tolerances (V8 maps and keeps memory of its own, so two totals cannot be exact):
//   /proc/self/maps lines  at most MAPS_TOLERANCE more than at the start — V8's heap pages, 256 KiB
//                          each at V8's own addresses (measured: about +100 lines per 10,000
//                          operations early on, then flat, since the live set is capped)
//   RSS                    at most RSS_TOLERANCE more than at the start, after a full GC, and at
//                          most RSS_GROWTH_TOLERANCE more after the last seed's run than after
//                          the first's (V8 keeps what the first run grew its heap to; a leak
//                          grows on with every run). Measured on 1,000,000 operations: about
//                          +50 MiB from the start, within 10 MiB from seed to seed.
// Exact: VmLck, the dump-excluded entries, the secret-memory entries, memshield's own totals, the
// mappings memshield's host still holds (0; any the kernel still shows are listed), and right
// after each unmap no line of /proc/self/maps overlaps the range given back (checked then, since
// V8 and malloc may map those addresses again later). The controls make one of the checks fail
// on purpose (test/soak/soak.test.ts).
import { kernelTotals, readSmaps } from './soak/kernel.mjs';
import { mappingLedger } from './soak/ledger.mjs';
import { soakRun } from './soak/run.mjs';

const MAPS_TOLERANCE = 256;
const RSS_TOLERANCE = 128 * 1024 * 1024;
const RSS_GROWTH_TOLERANCE = 32 * 1024 * 1024;

function parseArgs(argv) {
  const args = { operations: 1_000_000, seeds: [1, 2, 3, 4], checkEvery: 10_000, json: false, control: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i];
    if (flag === '--operations') args.operations = Number(value());
    else if (flag === '--seeds') args.seeds = value().split(',').map(Number);
    else if (flag === '--check-every') args.checkEvery = Number(value());
    else if (flag === '--json') args.json = true;
    else if (flag === '--control') args.control = value();
    else throw new Error(`unknown argument ${flag}; see the comment at the top of scripts/soak.mjs`);
  }
  if (!Number.isSafeInteger(args.operations) || args.operations < args.seeds.length)
    throw new Error('--operations must be an integer of at least one per seed');
  return args;
}

const args = parseArgs(process.argv.slice(2));
if (process.platform !== 'linux') throw new Error('the soak reads /proc/self/smaps: run it on Linux');
const api = await import(new URL('../dist/src/index.js', import.meta.url));
const { createLinuxHost } = await import(new URL('../dist/host/linux.js', import.meta.url));
const gc = globalThis.gc ?? (() => {});

// inspect() reads /proc/self/smaps on every call: the soak's host leaves that out, and the soak
// reads smaps itself once per checkpoint instead.
const native = createLinuxHost();
const ledger = mappingLedger(native, { skipOneUnmap: args.control === 'unmap-skipped' });
const host = { ...native, ...ledger.calls, kernelView: undefined };
const mem = api.createPlatformMemory({ host });
const other = api.createPlatformMemory({ host: { ...native, kernelView: undefined } }); // outside the ledger
const foreignRegion = other.allocate(16, 8, 'ReadWrite', 'Regular'); // belongs to another PlatformMemory
const capabilityEffective = /^CapEff:\s*([0-9a-f]+)/m.exec(
  await import('node:fs').then((fs) => fs.readFileSync('/proc/self/status', 'utf8')),
);
// CAP_IPC_LOCK
const privileged = capabilityEffective ? ((BigInt(`0x${capabilityEffective[1]}`) >> 14n) & 1n) === 1n : false;
const secretMemory = native.capabilities().secretMemory === true;
const setup = {
  api,
  mem,
  host,
  foreignRegion,
  page: host.pageSize(),
  secretMemory,
  privileged,
  kernel: true,
  secretPolicies: secretMemory ? ['preferred', 'required', 'off'] : ['preferred', 'off'],
};

// Warm up (the cores, koffi's bindings, V8's code for every operation), then take the baseline.
await soakRun(setup, { seed: 0xbeef, operations: 2000, checkEvery: 1000 });
gc();
const baselineRanges = new Set(readSmaps().map((entry) => `${entry.start}-${entry.end}`));
const baseline = kernelTotals();
ledger.start();
const started = process.hrtime.bigint();
const runs = [];
const perSeed = Math.floor(args.operations / args.seeds.length);
const afterEachSeed = [];
for (const seed of args.seeds) {
  runs.push(await soakRun(setup, { seed, operations: perSeed, checkEvery: args.checkEvery, control: args.control }));
  gc();
  afterEachSeed.push(kernelTotals());
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
await new Promise((resolve) => setImmediate(resolve));
// Freed secrets' ranges stay quarantined (reserved, holding nothing) until the cap pushes them out
// or the process ends: unmap them now, as the exit wipe does, so every mapping counted is a leak.
api.configureQuarantine({ maxBytes: 0 });
gc();
gc();
const after = kernelTotals();
const newEntries = readSmaps().filter((entry) => !baselineRanges.has(`${entry.start}-${entry.end}`));
const leftBehind = ledger.leftBehind();
const stats = mem.stats();

const problems = [];
for (const run of runs) {
  for (const entry of run.unexpected)
    problems.push(
      `seed ${entry.seed}, operation ${entry.operation} (${entry.name}): ` +
        `unexpected ${entry.code ?? 'error'}: ${entry.message}`,
    );
  for (const mismatch of run.mismatches.slice(0, 20))
    problems.push(`seed ${run.seed}: the model and memshield or the kernel disagree: ${mismatch}`);
}
if (after.vmLocked !== baseline.vmLocked) problems.push(`VmLck is ${after.vmLocked} bytes, was ${baseline.vmLocked}`);
if (after.dontDumpEntries !== baseline.dontDumpEntries)
  problems.push(`${after.dontDumpEntries} dump-excluded mappings, were ${baseline.dontDumpEntries}`);
if (after.secretMemoryEntries !== baseline.secretMemoryEntries)
  problems.push(`${after.secretMemoryEntries} secret-memory mappings, were ${baseline.secretMemoryEntries}`);
if (after.maps - baseline.maps > MAPS_TOLERANCE)
  problems.push(`${after.maps} mappings, were ${baseline.maps} (tolerance ${MAPS_TOLERANCE})`);
if (after.rss - baseline.rss > RSS_TOLERANCE)
  problems.push(`RSS ${after.rss} bytes, was ${baseline.rss} (tolerance ${RSS_TOLERANCE})`);
// What the first seed's run made V8 keep, it keeps; a leak grows on with every further seed.
const rssGrowth = afterEachSeed.at(-1).rss - afterEachSeed[0].rss;
if (rssGrowth > RSS_GROWTH_TOLERANCE)
  problems.push(
    `RSS grew by ${rssGrowth} bytes from the end of the first seed's ` +
      `run to the end of the last (tolerance ${RSS_GROWTH_TOLERANCE})`,
  );
if (stats.liveRegions !== 0 || stats.lockedBytes !== 0 || stats.mappedBytes !== 0)
  problems.push(`PlatformMemory.stats() is ${JSON.stringify(stats)} after teardown`);
if (ledger.live() !== 0) problems.push(`memshield's host still holds ${ledger.live()} mappings after teardown`);
for (const line of leftBehind.slice(0, 10)) problems.push(`still mapped right after memshield unmapped it: ${line}`);
for (const line of ledger.stillHeld().slice(0, 10)) problems.push(`still mapped, never unmapped by memshield: ${line}`);

const sum = (key) =>
  runs.reduce((totals, run) => {
    for (const [name, count] of Object.entries(run[key])) totals[name] = (totals[name] ?? 0) + count;
    return totals;
  }, {});
const report = {
  ok: problems.length === 0,
  operations: runs.reduce((total, run) => total + run.operations, 0),
  seeds: args.seeds,
  seconds: Number(seconds.toFixed(1)),
  checkpoints: runs.reduce((total, run) => total + run.checkpoints, 0),
  secretMemory,
  privileged,
  counts: sum('counts'),
  expectedErrors: sum('expectedErrors'),
  baseline,
  after,
  mappingsMade: ledger.made(),
  newMapsEntries: newEntries.length,
  rssAfterEachSeed: afterEachSeed.map((totals) => totals.rss),
  tolerances: { maps: MAPS_TOLERANCE, rss: RSS_TOLERANCE, rssGrowth: RSS_GROWTH_TOLERANCE },
  problems,
};

if (!args.json) {
  const rows = Object.entries(report.counts).sort(([, a], [, b]) => b - a);
  console.log(
    `memshield soak: ${report.operations} operations, seeds ${args.seeds.join(', ')}, ` +
      `${report.seconds} s, ${report.checkpoints} checkpoints (model = inspect = smaps)`,
  );
  for (const [name, count] of rows) console.log(`  ${name.padEnd(26)} ${String(count).padStart(9)}`);
  console.log(
    `  expected errors: ${Object.entries(report.expectedErrors)
      .map(([code, count]) => `${code} ${count}`)
      .join(', ')}`,
  );
  const line = (label, key, unit = '') =>
    console.log(`  ${label.padEnd(26)} ${String(baseline[key]).padStart(12)}${unit} → ${after[key]}${unit}`);
  line('mappings', 'maps');
  line('VmLck', 'vmLocked', ' B');
  line('RSS', 'rss', ' B');
  line('dump-excluded mappings', 'dontDumpEntries');
  line('secret-memory mappings', 'secretMemoryEntries');
  console.log(
    report.ok
      ? '  ✓ back at the baseline, every error predicted, the model held'
      : `  ✗ ${problems.length} problem(s):\n    ${problems.slice(0, 30).join('\n    ')}`,
  );
}
console.log(JSON.stringify(report));
for (const run of runs) if (run.leaked) mem.free(run.leaked); // the 'leak' control's region, now that it was seen
other.free(foreignRegion);
process.exitCode = report.ok ? 0 : 1;
