// The report: the machine, the verdict on each target, the table for people and the JSON for
// machines (the same numbers in both).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { BENCH_DIR } from './floor.mjs';

const require = createRequire(import.meta.url);

function firstMatch(path, pattern) {
  try {
    return pattern.exec(readFileSync(path, 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

function packageVersion(name) {
  try {
    return require(`${name}/package.json`).version;
  } catch {
    return undefined;
  }
}

function gitCommit() {
  try {
    const options = { cwd: BENCH_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] };
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], options).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], options).trim() !== '';
    return dirty ? `${commit}+changes` : commit;
  } catch {
    return undefined;
  }
}

/** What the numbers were measured on. */
export function describeMachine(compiler) {
  return {
    cpu: firstMatch('/proc/cpuinfo', /^model name\s*:(.*)$/m) ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    os: firstMatch('/etc/os-release', /^PRETTY_NAME="?([^"\n]*)/m) ?? `${os.type()} ${os.release()}`,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    v8: process.versions.v8,
    compiler,
    memshield: JSON.parse(readFileSync(`${BENCH_DIR}../package.json`, 'utf8')).version,
    commit: gitCommit(),
    koffi: packageVersion('koffi'),
    sodiumNative: packageVersion('sodium-native'),
    transparentHugePages: firstMatch('/sys/kernel/mm/transparent_hugepage/enabled', /\[(\w+)\]/),
    privileged: typeof process.getuid === 'function' ? process.getuid() === 0 : undefined,
  };
}

/** Checks each target of a measured case; `undefined` where a target cannot be judged. */
export function verdicts(result) {
  const targets = result.targets ?? {};
  const out = {};
  if (targets.floor !== undefined && result.ratio?.floor) out.floor = result.ratio.floor.median <= targets.floor;
  if (targets.sodium !== undefined && result.ratio?.sodium) out.sodium = result.ratio.sodium.median <= targets.sodium;
  if (targets.syscalls !== undefined && result.syscalls)
    out.syscalls = result.syscalls.memshield.total === targets.syscalls;
  if (targets.ns !== undefined && result.memshield) out.ns = result.memshield.median <= targets.ns;
  if (targets.atLeast !== undefined && result.counts) out.atLeast = result.counts.memshield >= targets.atLeast;
  return out;
}

export function formatTime(ns) {
  if (!Number.isFinite(ns)) return '—';
  if (ns < 1) return `${ns.toFixed(2)} ns`;
  if (ns < 100) return `${ns.toFixed(1)} ns`;
  if (ns < 1e3) return `${ns.toFixed(0)} ns`;
  if (ns < 1e5) return `${(ns / 1e3).toFixed(2)} µs`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(0)} µs`;
  return `${(ns / 1e6).toFixed(2)} ms`;
}

// Two significant digits below 0.1, so that 50× faster (0.02) and 150× faster (0.0067) differ.
const ratio = (value) => (value >= 10 ? value.toFixed(0) : value >= 0.1 ? value.toFixed(2) : value.toPrecision(2));
const mark = (ok) => (ok === undefined ? '' : ok ? ' ✓' : ' ✗');

function timeCell(summary, bytes) {
  if (!summary) return '—';
  const throughput = bytes ? ` · ${(bytes / summary.median).toFixed(1)} GB/s` : '';
  return `${formatTime(summary.median)} (${formatTime(summary.p10)}–${formatTime(summary.p90)})${throughput}`;
}

function ratioCell(summary) {
  return summary ? `${ratio(summary.median)}× (${ratio(summary.p10)}–${ratio(summary.p90)})` : '—';
}

function syscallCell(syscalls) {
  if (!syscalls) return '—';
  const total = (side) => (syscalls[side] ? String(syscalls[side].total) : '—');
  return `${total('memshield')} · ${total('floor')} · ${total('sodium')}`;
}

function targetCell(result) {
  const targets = result.targets ?? {};
  const v = result.verdicts ?? {};
  const parts = [];
  if (targets.floor !== undefined) {
    const share = result.bytes ? ` (≥${Math.round(100 / targets.floor)}% of its GB/s)` : '';
    parts.push(`≤${targets.floor}× floor${share}${mark(v.floor)}`);
  }
  if (targets.sodium !== undefined) {
    parts.push(
      targets.sodium < 1
        ? `≥${ratio(1 / targets.sodium)}× faster than sodium${mark(v.sodium)}`
        : `≤${targets.sodium}× sodium${mark(v.sodium)}`,
    );
  }
  if (targets.syscalls !== undefined) parts.push(`${targets.syscalls} syscalls${mark(v.syscalls)}`);
  if (targets.ns !== undefined) parts.push(`≤${targets.ns} ns${mark(v.ns)}`);
  if (targets.atLeast !== undefined) parts.push(`≥${targets.atLeast} ${result.unit}${mark(v.atLeast)}`);
  return parts.join('; ');
}

/** `items` joined by commas, in lines of at most 100 characters (the README keeps them as printed). */
function wrapList(items) {
  const lines = [''];
  for (const [index, item] of items.entries()) {
    const piece = item + (index < items.length - 1 ? ',' : '.');
    const last = lines.length - 1;
    if (lines[last] && lines[last].length + 1 + piece.length > 100) lines.push(piece);
    else lines[last] = lines[last] ? `${lines[last]} ${piece}` : piece;
  }
  return lines.join('\n');
}

/** The human table (Markdown, so it can go into a README as it is). */
export function formatTable(report) {
  const m = report.machine;
  const lines = [
    // Several short lines: Markdown joins them into one paragraph, and the README keeps them as printed.
    `memshield ${m.memshield}${m.commit ? ` (${m.commit})` : ''} · ${m.cpu}, ${m.cores} cores · ${m.kernel}`,
    `· node ${m.node} · ${m.compiler} · sodium-native ${m.sodiumNative ?? 'absent'}`,
    `${report.options.rounds} interleaved rounds per ` +
      `case${report.options.quick ? ' (--quick: not for conclusions)' : ''};`,
    'times are per operation, median (p10–p90); ×floor and ×sodium are medians of per-round ratios',
    '(memshield time ÷ theirs; below 1 is faster); the floor is the same system calls from C, or for',
    'the node:crypto rows the same work with the key in a plain Buffer; syscalls per operation:',
    'memshield · floor · sodium.',
    '',
    '| case | memshield | floor | × floor | sodium-native | × sodium | syscalls/op | target |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const result of report.cases) {
    if (result.skipped || result.error) {
      lines.push(
        `| ${result.title} | ` +
          `${result.skipped ? `skipped: ${result.skipped}` : `failed: ${result.error}`} | | | | | | |`,
      );
    } else if (result.kind === 'count') {
      const count = (side) => {
        if (result.counts[side] === undefined) return '—';
        const detail = result.details?.[side];
        return `${result.counts[side]} ${result.unit}${detail ? ` (${detail})` : ''}`;
      };
      lines.push(
        `| ${result.title} | ${count('memshield')} | ${count('floor')} ` +
          `| | ${count('sodium')} | | | ${targetCell(result)} |`,
      );
    } else {
      lines.push(
        `| ${result.title} | ${timeCell(result.memshield, result.bytes)} | ` +
          `${timeCell(result.floor, result.bytes)} | ${ratioCell(result.ratio.floor)} ` +
          `| ${timeCell(result.sodium, result.bytes)} | ${ratioCell(result.ratio.sodium)} ` +
          `| ${syscallCell(result.syscalls)} | ${targetCell(result)} |`,
      );
    }
  }
  const missed = report.summary.missed;
  lines.push(
    '',
    missed.length ? `Targets missed (bench/README.md says why):\n${wrapList(missed)}` : 'All targets met.',
  );
  return lines.join('\n');
}

/** Lists targets met and missed, as `case: target`. */
export function summarize(results) {
  const met = [];
  const missed = [];
  for (const result of results) {
    for (const [target, ok] of Object.entries(result.verdicts ?? {}))
      (ok ? met : missed).push(`${result.id}: ${target}`);
  }
  return { met, missed, failed: results.filter((result) => result.error).map((result) => result.id) };
}
