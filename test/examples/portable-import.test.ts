// The README says importing memshield (and memshield/testing) works everywhere, a browser included: nothing the entry
// point loads may import a Node built-in or koffi statically (they are reached at first use,
// through host/node-builtins.ts). This walks the entry point's static import graph.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Value imports and re-exports; `import type` / `export type` vanish at compile time.
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

const packageImports = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { imports: Record<string, Record<string, string>> }
).imports;

/** The source files a `#name` import can load, one per condition (dist/x.js → x.ts; runtime/ is plain JS). */
function packageImportTargets(specifier: string): string[] {
  const targets = Object.entries(packageImports[specifier] ?? {})
    .filter(([condition]) => condition !== 'types')
    .map(([, target]) => target);
  return [...new Set(targets)].map((target) =>
    join(root, target.replace(/^\.\/dist\//, './').replace(/^(\.\/(?:src|host)\/.*)\.js$/, '$1.ts')),
  );
}

/** Every module the file at `path` loads statically, transitively, with what each imports. */
function importGraph(path: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(path)) return seen;
  const specifiers = [...readFileSync(path, 'utf8').matchAll(STATIC_IMPORT)].map((match) => match[1]);
  seen.set(path, specifiers);
  for (const specifier of specifiers) {
    if (specifier.startsWith('#')) for (const target of packageImportTargets(specifier)) importGraph(target, seen);
    else if (specifier.startsWith('.') && !specifier.endsWith('.wasm'))
      importGraph(join(dirname(path), path.endsWith('.js') ? specifier : specifier.replace(/\.js$/, '.ts')), seen);
  }
  return seen;
}

/** The static imports in the graph that only Node-like runtimes can satisfy. */
function nodeOnlyImports(graph: Map<string, string[]>): string[] {
  return [...graph].flatMap(([path, specifiers]) =>
    specifiers
      .filter((specifier) => specifier.startsWith('node:') || specifier === 'koffi')
      .map((specifier) => `${relative(root, path)} → ${specifier}`),
  );
}

describe('importing memshield and memshield/testing', () => {
  const graph = importGraph(join(root, 'src/testing.ts'), importGraph(join(root, 'src/index.ts')));

  it('walks the whole public API (the control: the graph reaches the hosts and SecureHeap)', () => {
    const files = [...graph.keys()].map((path) => relative(root, path));
    expect(files).toEqual(
      expect.arrayContaining([
        'host/linux.ts',
        'host/posix.ts',
        'host/win32.ts',
        'src/secure-heap.ts',
        'host/simulated/host.ts',
        'host/no-native.ts',
        'src/core-module.ts',
        'runtime/core-module-workerd.js',
      ]),
    );
  });

  it('loads no Node built-in and not koffi statically, so it works where there are none', () => {
    expect(nodeOnlyImports(graph)).toEqual([]);
  });

  it('would see one (the control: the doctor, not part of the API, reads files with node:fs)', () => {
    expect(nodeOnlyImports(importGraph(join(root, 'src/cli.ts')))).toContain('src/doctor/report.ts → node:fs');
  });
});
