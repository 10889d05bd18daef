// No line over 120 characters outside tables. The formatter (biome.jsonc, lineWidth 120) breaks
// code; what it cannot break (comments, long strings, prose, shell) is wrapped by hand, and this
// test lists whatever is left as file:line.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAX_CHARACTERS = 120;
// Data, not prose or code, kept as produced (the same files biome.jsonc leaves out).
const DATA_FILES = new Set(['package-lock.json', 'test/golden/traces.json', 'docs/memory-map.svg']);

/** Every file of the tree that git tracks or would track (untracked but not ignored files too). */
function treeFiles(): string[] {
  const listing = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  // A file deleted but not yet staged is still listed: only what exists is read.
  return [...new Set(listing.split('\0'))].filter((file) => file && existsSync(join(ROOT, file)));
}

/** A markdown table row: it cannot be wrapped, so it may be as wide as its columns need. */
const isTableRow = (path: string, line: string) => path.endsWith('.md') && /^\s*\|/.test(line);

/** `path:line (N characters)` for each line of `text` longer than the limit, counted in characters. */
function longLines(path: string, text: string): string[] {
  if (text.includes('\0')) return []; // a binary file has no lines
  return text.split('\n').flatMap((line, index) => {
    const characters = [...line].length;
    if (characters <= MAX_CHARACTERS || isTableRow(path, line)) return [];
    return [`${path}:${index + 1} (${characters} characters)`];
  });
}

describe('line length', () => {
  it('finds a line of 121 characters, passes one of 120, and passes a markdown table row of any width (control)', () => {
    const text = ['a'.repeat(120), 'b'.repeat(121), `| ${'c'.repeat(200)} |`, '┌'.repeat(120)].join('\n');
    expect(longLines('doc.md', text)).toEqual(['doc.md:2 (121 characters)']);
    // Outside markdown a line starting with | is code like any other.
    expect(longLines('code.ts', `| ${'c'.repeat(200)}`)).toEqual(['code.ts:1 (202 characters)']);
  });

  it('reads the whole tree: sources, tests, scripts, docs and configuration', () => {
    const files = treeFiles();
    for (const file of ['README.md', 'src/index.ts', 'assembly/index.ts', 'package.json', '.github/workflows/ci.yml']) {
      expect(files).toContain(file);
    }
  });

  it(`has no line over ${MAX_CHARACTERS} characters outside tables and data files`, () => {
    const offenders = treeFiles()
      .filter((file) => !DATA_FILES.has(file))
      .flatMap((file) => longLines(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
