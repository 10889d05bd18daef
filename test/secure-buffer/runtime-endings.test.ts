// An error nobody handles ends the process on Node, Bun and Deno, each its own way (Deno runs no
// 'exit' listener then): the secrets are wiped before every witness that runs at that end
// (test/fixtures/runtime-uncaught.mjs). The `off` runs (configureExitWipe({ exit: false })) are
// the controls: the same witnesses read the secret there.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../helpers/kernel.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/runtime-uncaught.mjs', import.meta.url));
const firstExisting = (...paths: string[]) =>
  paths.map((path) => `${ROOT}${path}`).find((path) => existsSync(path)) ?? paths[0];

const RUNTIMES = [
  { name: 'node', command: process.execPath, args: [] },
  {
    name: 'bun',
    command: firstExisting('node_modules/.bin/bun', 'node_modules/@oven/bun-linux-x64/bin/bun'),
    args: [],
  },
  // -A: /proc/self/mem is refused without it.
  { name: 'deno', command: firstExisting('node_modules/.bin/deno'), args: ['run', '-A'] },
];

/** The witnesses' lines ({ at, seen }) of a child's stderr. */
async function witnesses(command: string, args: string[]) {
  const result = await run(command, args, { env: { ...process.env, NO_COLOR: '1' } });
  const seen = result.stderr
    .split('\n')
    .filter((line) => line.startsWith('{"at"'))
    .map((line) => JSON.parse(line) as { at: string; seen: string });
  return { result, start: seen.find((line) => line.at === 'start'), atEnd: seen.filter((line) => line.at !== 'start') };
}

describe.each(RUNTIMES)('an error nobody handles under $name', ({ command, args }) => {
  for (const how of ['throw', 'timer', 'reject']) {
    it(`(${how}) wipes before every witness at the end; the control's witnesses see the secret`, async () => {
      const [wiped, kept] = await Promise.all([
        witnesses(command, [...args, FIXTURE, how]),
        witnesses(command, [...args, FIXTURE, how, 'off']),
      ]);
      expect(wiped.result.status).not.toBe(0);
      expect(wiped.start?.seen).toBe('secret');
      expect(wiped.atEnd.length).toBeGreaterThan(0);
      expect(wiped.atEnd.map((line) => line.seen)).toEqual(wiped.atEnd.map(() => 'zero'));
      expect(kept.atEnd.map((line) => line.at)).toEqual(wiped.atEnd.map((line) => line.at));
      expect(kept.atEnd.map((line) => line.seen)).toEqual(kept.atEnd.map(() => 'secret'));
    });
  }
});
