// The layers depend downwards only: src/ (the public API) may import host/ and shared/; host/
// (the OS) may import shared/ only; shared/ (the error type and small helpers both raise and use)
// imports neither. Type imports count too: a type from src/ in host/ ties the bottom to the top.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Every import and re-export, `import type` included.
const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/** The .ts files under `folder` (relative to the root), recursively. */
function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(folder, name));
}

/** Every import of the files under `folder`: the specifier, and the file it names (relative ones). */
function importsOf(folder: string): Array<{ file: string; specifier: string; target?: string }> {
  return sources(folder).flatMap((file) =>
    [...readFileSync(join(root, file), 'utf8').matchAll(IMPORT)].map((match) => {
      const specifier = match[1];
      const target = specifier.startsWith('.') ? relative(root, join(root, dirname(file), specifier)) : undefined;
      return { file, specifier, target };
    }),
  );
}

/** The files under `folder` that import koffi itself or the loader host/node-builtins.ts gives for it. */
function koffiImports(folder: string): string[] {
  return sources(folder).filter((file) =>
    [...readFileSync(join(root, file), 'utf8').matchAll(IMPORT)].some(
      (match) => match[1] === 'koffi' || /\bloadKoffi\b/.test(match[0]),
    ),
  );
}

/** `file → imported file` for each relative import of the files under `folder` that lands in one of `forbidden`. */
function importsInto(folder: string, forbidden: string[]): string[] {
  return importsOf(folder)
    .filter(({ target }) => target !== undefined && forbidden.some((top) => target.startsWith(`${top}/`)))
    .map(({ file, target }) => `${file} → ${target}`);
}

describe('the layers', () => {
  it('host/ imports nothing from src/', () => {
    expect(importsInto('host', ['src'])).toEqual([]);
  });

  it('shared/ imports nothing from src/ or host/', () => {
    expect(importsInto('shared', ['src', 'host'])).toEqual([]);
  });

  it('only host/ reaches koffi: src/ and shared/ neither import it nor its loader (loadKoffi)', () => {
    expect(koffiImports('src').concat(koffiImports('shared'))).toEqual([]);
    // Control: host/ does reach it, through the loader.
    expect(koffiImports('host')).toContain('host/posix.ts');
  });

  it(
    'src/ reaches the OS calls of the ways in (files, terminal, environment) only through the platform registry ' +
      '(type imports aside)',
    () => {
      const hostModules = [
        'host/descriptors.ts',
        'host/terminal.ts',
        'host/environ.ts',
        'host/linux-environ.ts',
        'host/linux-files.ts',
      ];
      const valueImports = (folder: string) =>
        sources(folder).flatMap((file) =>
          [...readFileSync(join(root, file), 'utf8').matchAll(IMPORT)]
            .filter((match) => !/^\s*(?:import|export)\s+type\s/.test(match[0]) && match[1].startsWith('.'))
            .map((match) => ({
              file,
              target: relative(root, join(root, dirname(file), match[1])).replace(/\.js$/, '.ts'),
            })),
        );
      const direct = valueImports('src').filter(
        ({ file, target }) => hostModules.includes(target) && file !== 'src/testing.ts',
      );
      expect(direct.map(({ file, target }) => `${file} → ${target}`)).toEqual([]);
      // Control: the walk sees value imports of host/ from src/, and the registry does import these modules.
      expect(valueImports('src').some(({ target }) => target === 'host/types.ts')).toBe(true);
      expect(
        valueImports('host')
          .filter(({ file }) => file === 'host/platforms.ts')
          .map(({ target }) => target),
      ).toEqual(expect.arrayContaining(['host/descriptors.ts', 'host/terminal.ts', 'host/environ.ts']));
    },
  );

  it('control: the same walk does see imports across folders (src/ into host/ and shared/, host/ into shared/)', () => {
    expect(importsInto('src', ['host'])).toContain('src/core.ts → host/types.js');
    expect(importsInto('src', ['shared'])).toContain('src/errors.ts → shared/errors.js');
    expect(importsInto('host', ['shared'])).toContain('host/simulated/options.ts → shared/errors.js');
  });
});
