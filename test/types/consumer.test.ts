// Users compile memshield's declarations with their settings, not ours. This packs the package
// once (npm pack, what npm would publish), installs it into a temporary consumer project with the
// strictest settings users have — strict, nodenext, no DOM lib, skipLibCheck false, @types/node 20
// — compiles test/types/consumer/consumer.ts with TypeScript 5.9 and 7, as ESM and as CommonJS,
// and runs what each compiled. The control (consumer/control.ts: async callbacks, a returned view)
// must fail to compile with both compilers, each error on its line and with its reason.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFreshBuild } from '../helpers/fresh-build.js';
import { run, type ChildResult } from '../helpers/kernel.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sources = fileURLToPath(new URL('./consumer/', import.meta.url));
const COMPILERS = [
  { name: 'TypeScript 5.9', tsc: join(root, 'node_modules/typescript-5/bin/tsc'), version: /^Version 5\.9\./ },
  { name: 'TypeScript 7', tsc: join(root, 'node_modules/typescript/bin/tsc'), version: /^Version 7\./ },
] as const;
const MODULES = [{ kind: 'module', label: 'ESM' }, { kind: 'commonjs', label: 'CommonJS' }] as const;
// What users of `using` set: the disposable lib on top of ES2022, and no DOM.
const COMPILER_OPTIONS = {
  strict: true,
  module: 'nodenext',
  moduleResolution: 'nodenext',
  target: 'es2022',
  lib: ['es2022', 'esnext.disposable'],
  types: ['node'],
  skipLibCheck: false,
  noEmitOnError: true,
};

let project: string;
// Every compile starts in beforeAll and runs side by side (TypeScript 5.9 checks all of
// @types/node, which takes seconds); each test awaits its own.
const compiles = new Map<string, Promise<ChildResult>>();
const compile = (tsc: string, folder: string, ...args: string[]) => run(process.execPath, [tsc, '-p', join(project, folder), '--pretty', 'false', ...args]);
const outDir = (tsc: string, kind: string) => join(project, kind, tsc.includes('typescript-5') ? 'out-5' : 'out-7');

/** A folder of the consumer project: one package.json type, one tsconfig, one source file. */
function consumerFolder(name: string, type: string, file: string): string {
  const folder = join(project, name);
  mkdirSync(folder);
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ type }));
  writeFileSync(join(folder, 'tsconfig.json'), JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files: [file] }));
  copyFileSync(join(sources, file), join(folder, file));
  return folder;
}

beforeAll(() => {
  expectFreshBuild();
  project = mkdtempSync(join(tmpdir(), 'memshield-consumer-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: root, encoding: 'utf8' })) as Array<{ filename: string }>;
  const modules = join(project, 'node_modules');
  mkdirSync(join(modules, 'memshield'), { recursive: true });
  mkdirSync(join(modules, '@types'));
  execFileSync('tar', ['-xzf', join(project, packed[0].filename), '-C', join(modules, 'memshield'), '--strip-components=1']);
  symlinkSync(join(root, 'node_modules/koffi'), join(modules, 'koffi')); // memshield's one dependency
  symlinkSync(join(root, 'node_modules/types-node-20'), join(modules, '@types/node')); // @types/node 20, an alias devDependency
  for (const { kind } of MODULES) consumerFolder(kind, kind, 'consumer.ts');
  consumerFolder('control', 'module', 'control.ts');
  for (const { tsc } of COMPILERS) {
    for (const { kind } of MODULES) compiles.set(`${tsc} ${kind}`, compile(tsc, kind, '--outDir', outDir(tsc, kind)));
    compiles.set(`${tsc} control`, compile(tsc, 'control', '--noEmit'));
  }
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packed declarations, compiled as a consumer compiles them', () => {
  it('use @types/node 20 and the compilers the matrix names', async () => {
    const types = JSON.parse(readFileSync(join(project, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string };
    expect(types.version).toMatch(/^20\./);
    for (const { tsc, version } of COMPILERS) expect((await run(process.execPath, [tsc, '--version'])).stdout).toMatch(version);
  });

  describe.each(COMPILERS)('$name', ({ tsc }) => {
    it.each(MODULES)('compiles `using`, SecureBuffer and SecureHeap as $label and runs the result', async ({ kind }) => {
      const compiled = await compiles.get(`${tsc} ${kind}`)!;
      expect(compiled.stdout + compiled.stderr).toBe('');
      expect(compiled.status).toBe(0);
      const ran = await run(process.execPath, [join(outDir(tsc, kind), 'consumer.js')], { cwd: join(project, kind) });
      expect(ran.stderr).not.toMatch(/Error/);
      expect(JSON.parse(ran.stdout.trim())).toEqual([
        'inside: first 7, copy 32 bytes, equal true',
        'after the block: disposed true',
        "after the heap's block: destroyed true, its secret disposed true",
        'use after the block: USE_AFTER_FREE',
      ]);
    });

    it('refuses async callbacks and a returned view (the control)', async () => {
      const compiled = await compiles.get(`${tsc} control`)!;
      expect(compiled.status).not.toBe(0);
      const errors = compiled.stdout.trim().split('\n').filter((line) => line.includes('error TS'));
      const byLine = new Map(errors.map((line) => [Number(/control\.ts\((\d+),/.exec(line)?.[1]), line]));
      expect([...byLine.keys()].sort()).toEqual([6, 7, 8, 9]);
      expect(byLine.get(6)).toMatch(/need a synchronous callback/);
      expect(byLine.get(7)).toMatch(/need a synchronous callback/);
      expect(byLine.get(8)).toMatch(/must not return its view/);
      expect(byLine.get(9)).toMatch(/need a synchronous callback/);
    });
  });
});
