// Users compile memshield's declarations with their settings, not ours, and install what npm
// packs, not this tree. This packs the package once (npm pack), installs the tarball into a
// temporary consumer project with npm itself (from the cache `npm ci` filled where it can), with the
// strictest settings users have — strict, nodenext, no DOM lib, skipLibCheck false, @types/node
// 20 — compiles test/types/consumer/consumer.ts with TypeScript 5.9 and 7, as ESM and as
// CommonJS, and runs what each compiled. The control (consumer/control.ts: async callbacks, a
// returned view) must fail to compile with both compilers, each error on its line and with its
// reason. The same tarball must hold what the README links to, a LICENSE and no source maps, and
// installing it must not warn about a memshield install script.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
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
const MODULES = [
  { kind: 'module', label: 'ESM' },
  { kind: 'commonjs', label: 'CommonJS' },
] as const;
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
const compile = (tsc: string, folder: string, ...args: string[]) =>
  run(process.execPath, [tsc, '-p', join(project, folder), '--pretty', 'false', ...args]);
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

let packedFiles: string[];
let installWarnings: string;

beforeAll(() => {
  expectFreshBuild();
  project = mkdtempSync(join(tmpdir(), 'memshield-consumer-'));
  const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], {
    cwd: root,
    encoding: 'utf8',
  });
  const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packedFiles = packed.files.map((file) => file.path);
  const typesNode = (
    JSON.parse(readFileSync(join(root, 'node_modules/types-node-20/package.json'), 'utf8')) as { version: string }
  ).version;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  const install = spawnSync(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(project, packed.filename),
      `@types/node@${typesNode}`,
    ],
    { cwd: project, encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`npm install of the packed memshield failed: ${install.stderr}`);
  installWarnings = install.stderr;
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

describe('the packed package, installed as npm installs it', () => {
  it('holds every file README.md and docs/ link to, docs/ itself and the LICENSE', () => {
    const documents = ['README.md', ...readdirSync(join(root, 'docs')).map((name) => `docs/${name}`)];
    const links = documents.flatMap((document) =>
      [...readFileSync(join(root, document), 'utf8').matchAll(/\]\(([^)#:\s]+)(#[^)]*)?\)/g)].map((match) =>
        normalize(join(dirname(document), match[1])),
      ),
    );
    expect(links.length).toBeGreaterThan(5);
    for (const target of new Set([...documents, ...links, 'LICENSE'])) expect(packedFiles, target).toContain(target);
    expect(readFileSync(join(project, 'node_modules/memshield/LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('ships no source maps (their sources are not shipped)', () => {
    expect(packedFiles.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(packedFiles.filter((file) => file.endsWith('.js'))).not.toEqual([]);
    expect(existsSync(join(project, 'node_modules/memshield/dist/src/index.js'))).toBe(true);
  });

  it(
    'installs without a warning about a memshield install ' + "script (koffi's own shows the warning would be seen)",
    () => {
      expect(installWarnings).not.toMatch(/memshield@\S+ \((pre|post)?(install|prepare)/);
      expect(installWarnings).toMatch(/koffi@\S+ \(install:/); // the control: npm 11 lists install scripts this way
    },
  );
});

describe('the packed declarations, compiled as a consumer compiles them', () => {
  it('use @types/node 20 and the compilers the matrix names', async () => {
    const types = JSON.parse(readFileSync(join(project, 'node_modules/@types/node/package.json'), 'utf8')) as {
      version: string;
    };
    // the compilers are ours, not installed there
    expect(existsSync(join(project, 'node_modules/typescript'))).toBe(false);
    expect(types.version).toMatch(/^20\./);
    for (const { tsc, version } of COMPILERS)
      expect((await run(process.execPath, [tsc, '--version'])).stdout).toMatch(version);
  });

  describe.each(COMPILERS)('$name', ({ tsc }) => {
    it.each(MODULES)(
      'compiles `using`, SecureBuffer and SecureHeap as $label and runs the result',
      async ({ kind }) => {
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
      },
    );

    it('refuses async callbacks and a returned view (the control)', async () => {
      const compiled = await compiles.get(`${tsc} control`)!;
      expect(compiled.status).not.toBe(0);
      const errors = compiled.stdout
        .trim()
        .split('\n')
        .filter((line) => line.includes('error TS'));
      const byLine = new Map(errors.map((line) => [Number(/control\.ts\((\d+),/.exec(line)?.[1]), line]));
      expect([...byLine.keys()].sort()).toEqual([6, 7, 8, 9]);
      expect(byLine.get(6)).toMatch(/need a synchronous callback/);
      expect(byLine.get(7)).toMatch(/need a synchronous callback/);
      expect(byLine.get(8)).toMatch(/must not return its view/);
      expect(byLine.get(9)).toMatch(/need a synchronous callback/);
    });
  });
});
