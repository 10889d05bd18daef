#!/usr/bin/env node
// Cross-runtime determinism check: runs the scenario of scripts/cross-runtime-scenario-body.mjs (the
// built dist over a seeded simulated host) under Node, Bun and Deno (with -A, and with memshield's
// minimal permissions), the versions pinned in package.json, from an esbuild browser bundle in a
// headless Chromium page and Web Worker, and in Cloudflare's workerd (scripts/browser/), and fails
// unless all print byte-identical output (trace, canary bytes, addresses, errors).
//
// Usage: node scripts/cross-runtime.mjs [--json] [--skew RUNTIME]
//   --json          print one JSON summary line instead of the table
//   --skew RUNTIME  give RUNTIME another seed (a control: the check must then fail)
// Exit status: 0 when every runtime ran and all outputs are equal, 1 otherwise.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runInChromium } from './browser/chromium.mjs';
import { runInWorkerd } from './browser/workerd.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const scenario = fileURLToPath(new URL('./cross-runtime-scenario.mjs', import.meta.url));
const SEED = '24301'; // 0x5eed
const args = process.argv.slice(2);
const json = args.includes('--json');
const skew = args.includes('--skew') ? args[args.indexOf('--skew') + 1] : undefined;

/** The first path that exists (bun's binary is in @oven if its postinstall did not link it). */
const firstExisting = (...paths) => paths.map((path) => `${root}${path}`).find((path) => existsSync(path));

const RUNTIMES = [
  { name: 'node', command: process.execPath, args: [] },
  {
    name: 'bun',
    command: firstExisting('node_modules/.bin/bun', 'node_modules/@oven/bun-linux-x64/bin/bun'),
    args: [],
  },
  // -A: everything allowed, as most users start.
  { name: 'deno', command: firstExisting('node_modules/.bin/deno'), args: ['run', '-A'] },
  // memshield's minimal set (docs/platforms.md): FFI for koffi, and reading the folders that
  // resolve it (a project's node_modules; here dist/ too, since memshield is this folder).
  {
    name: 'deno-minimal',
    command: firstExisting('node_modules/.bin/deno'),
    args: ['run', '--allow-ffi', `--allow-read=${root}dist,${root}node_modules`],
  },
];

if (!existsSync(`${root}dist/src/index.js`)) {
  console.error('cross-runtime: dist/ is missing; run `npm run build` first');
  process.exit(1);
}

/** RUNTIME's seed: another one for the skewed runtime (the control). */
const seedFor = (name) => (name === skew ? '1' : SEED);

const native = RUNTIMES.map(({ name, command, args: runtimeArgs }) => {
  if (!command) return { runtime: name, error: `not installed (npm ci installs the pinned ${name})` };
  const seed = seedFor(name);
  const version = spawnSync(command, ['--version'], { encoding: 'utf8' }).stdout.trim().split('\n')[0].split(' (')[0];
  const run = spawnSync(command, [...runtimeArgs, scenario, seed], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (run.status !== 0)
    return { runtime: name, version, error: `exit ${run.status ?? run.signal}: ${run.stderr.trim().slice(0, 500)}` };
  const output = run.stdout.trim();
  return { runtime: name, version, output };
});
const browsers = await runInChromium(seedFor).catch((error) => [
  { runtime: 'chromium', error: String(error?.message ?? error) },
]);
const workerd = await runInWorkerd(seedFor).catch((error) => ({
  runtime: 'workerd',
  error: String(error?.message ?? error),
}));
const results = [...native, ...browsers, workerd].map((result) =>
  result.error
    ? result
    : {
        ...result,
        bytes: result.output.length,
        sha256: createHash('sha256').update(result.output).digest('hex'),
      },
);

const hashes = new Set(results.map((result) => result.sha256));
const identical = results.every((result) => !result.error) && hashes.size === 1;
const summary = {
  identical,
  runtimes: results.map(({ output, ...rest }) => rest),
  traceEntries: identical ? JSON.parse(results[0].output).trace.length : undefined,
};

if (json) {
  console.log(JSON.stringify(summary));
} else {
  console.log('runtime          version                   bytes    sha256');
  for (const result of summary.runtimes) {
    console.log(
      `${result.runtime.padEnd(16)} ${(result.version ?? '').padEnd(25)} ` +
        `${String(result.bytes ?? '-').padEnd(8)} ${result.sha256?.slice(0, 16) ?? result.error}`,
    );
  }
  console.log(
    identical
      ? `identical: ${summary.traceEntries} trace entries, same canary, addresses and errors`
      : 'DIFFERENT: the runtimes disagree',
  );
}
process.exit(identical ? 0 : 1);
