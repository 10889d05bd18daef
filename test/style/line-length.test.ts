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
const DATA_FILES = new Set([
  'package-lock.json',
  'test/golden/traces.json',
  'docs/memory-map.svg',
  'bench/baseline.json', // a saved `npm run bench --json`: its messages are the program's own
]);

/** Every file of the tree that git tracks or would track (untracked but not ignored files too). */
function treeFiles(): string[] {
  const listing = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  // A file deleted but not yet staged is still listed: only what exists is read.
  return [...new Set(listing.split('\0'))].filter((file) => file && existsSync(join(ROOT, file)));
}

// Markdown shows some lines as they are: a table row cannot be wrapped, and a fenced block without
// a language or marked json or text is a program's output or data, shown as produced.
const TABLE_ROW = /^\s*\|/;
const FENCE = /^\s*```(\S*)/;
const AS_PRODUCED = new Set(['', 'json', 'text']);

/** `path:line (N characters)` for each line of `text` longer than the limit, counted in characters. */
function longLines(path: string, text: string): string[] {
  if (text.includes('\0')) return []; // a binary file has no lines
  const markdown = path.endsWith('.md');
  let fence: string | undefined; // the language of the fenced block the line is in
  return text.split('\n').flatMap((line, index) => {
    const opens = markdown ? FENCE.exec(line) : null;
    if (opens) fence = fence === undefined ? opens[1] : undefined;
    const characters = [...line].length;
    if (characters <= MAX_CHARACTERS) return [];
    if (markdown && (TABLE_ROW.test(line) || (fence !== undefined && AS_PRODUCED.has(fence)))) return [];
    return [`${path}:${index + 1} (${characters} characters)`];
  });
}

describe('line length', () => {
  it('finds a line of 121 characters, passes one of 120, and a markdown table row of any width (control)', () => {
    const text = ['a'.repeat(120), 'b'.repeat(121), `| ${'c'.repeat(200)} |`, '┌'.repeat(120)].join('\n');
    expect(longLines('doc.md', text)).toEqual(['doc.md:2 (121 characters)']);
    // Outside markdown a line starting with | is code like any other.
    expect(longLines('code.ts', `| ${'c'.repeat(200)}`)).toEqual(['code.ts:1 (202 characters)']);
  });

  it('passes markdown output and data blocks as produced, and finds long lines in its code blocks (control)', () => {
    const long = 'x'.repeat(130);
    const text = ['```', long, '```', '```json', long, '```', '```ts', long, '```', long].join('\n');
    expect(longLines('doc.md', text)).toEqual(['doc.md:8 (130 characters)', 'doc.md:10 (130 characters)']);
  });

  it('reads the whole tree: sources, tests, scripts, docs and configuration', () => {
    const files = treeFiles();
    for (const file of ['README.md', 'src/index.ts', 'assembly/index.ts', 'package.json', '.github/workflows/ci.yml']) {
      expect(files).toContain(file);
    }
  });

  it(`has no line over ${MAX_CHARACTERS} characters outside tables, output and data`, () => {
    const offenders = treeFiles()
      .filter((file) => !DATA_FILES.has(file))
      .flatMap((file) => longLines(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
