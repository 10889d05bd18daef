// Every ts/js code block of README.md and docs/*.md runs, and the claims its comments make are
// checked. Blocks are found mechanically; one that is added without a way to run it fails here.
//
// A block runs as written, as an ES module in a child process (types stripped by TypeScript's
// transpiler), with every public name of memshield and memshield/testing, and node:crypto's
// createHmac and randomBytes, in scope unless the block imports them itself. Its claims are comments on an expression
// statement that start with a literal:
//   expr; // true …            → expr equals true          (also false, null, numbers)
//   expr; // 'a' or 'b' …      → expr is one of the strings
//   expr; // ['x', 'y'] …      → expr deep-equals the array; [..., 'x'] → the array contains 'x'
//   console.error(e); // "text…"  → what the block printed contains "text"
//   console.log(a, b); // 64 true  → the line printed (util.format of the arguments) is exactly "64 true"
// HTML comments right above a block's fence adjust how it runs:
//   <!-- example: given CODE -->           CODE runs first (what the prose assumes exists; several run in order)
//   <!-- example: throws NAME -->          the block must throw an error named or coded NAME
//   <!-- example: memlock 0, unprivileged --> it runs under prlimit --memlock=0 (and, as root, setpriv to nobody)
//   <!-- example: not run: REASON -->      it does not run, and REASON says why (and what checks it instead)
//   a comment naming test/…/x.test.ts       the block is that file, which runs as a test itself
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript-5';
import { afterAll, describe, expect, it } from 'vitest';
import * as memshield from '../../src/index.js';
import * as testing from '../../src/testing.js';
import { expectFreshBuild } from '../helpers/fresh-build.js';
import { memlockEnforced } from '../helpers/privilege.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCUMENTS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

interface Block {
  where: string;
  code: string;
  markers: string[];
}

/** Every fenced ts/js block, with the HTML comments directly above its fence. */
function blocksOf(document: string): Block[] {
  const lines = readFileSync(join(ROOT, document), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|js|typescript|javascript|mjs)\s*$/.test(lines[i])) {
      if (lines[i].startsWith('```')) i = lines.indexOf('```', i + 1); // skip other languages' blocks
      continue;
    }
    const markers: string[] = [];
    for (let j = i - 1; j >= 0 && /^<!--.*-->$/.test(lines[j]); j--) markers.unshift(lines[j].slice(4, -3).trim());
    const end = lines.indexOf('```', i + 1);
    blocks.push({ where: `${document}:${i + 1}`, code: `${lines.slice(i + 1, end).join('\n')}\n`, markers });
    i = end;
  }
  return blocks;
}

const marker = (block: Block, key: string) =>
  block.markers
    .find((text) => text.startsWith(`example: ${key}`))
    ?.slice(`example: ${key}`.length)
    .trim();
/** The code of every `given` marker, in order (a long one is split over several). */
const givens = (block: Block) =>
  block.markers
    .filter((text) => text.startsWith('example: given'))
    .map((text) => text.slice('example: given'.length).trim())
    .join('\n');
/** The test file a marker names as being the block (a reason not to run may name files too). */
const fileMarker = (block: Block) =>
  block.markers
    .filter((text) => !/^example: (not run|given|throws)/.test(text))
    .map((text) => /test\/\S+\.test\.ts/.exec(text)?.[0])
    .find(Boolean);

const CLAIM = /^(\s*)(?!const |let |var |if |import |return |throw )([^/]*?\S);\s*\/\/\s*(.*)$/;
const LITERAL = /^(true|false|null|-?\d+(?:\.\d+)?)(?=$|[\s(:,;])|^('[^']*'(?:\s+or\s+'[^']*')*)(?=$|\s)|^(\[[^\]]*\])/;

/** The block with each claim line turned into a check, and how many there are. */
function withClaims(code: string): { code: string; claims: number } {
  let claims = 0;
  const lines = code.split('\n').map((line, index) => {
    const console_ = /^(\s*)console\.(log|error|warn)\((.*)\);\s*\/\/\s*"([^"]*?)…?"\s*$/.exec(line);
    if (console_) {
      claims++;
      return `${console_[1]}__printed(${console_[3]}, ${JSON.stringify(console_[4])}, ${index + 1});`;
    }
    // console.log(a, b); // 64 true → the printed line (util.format of the arguments) is exactly that.
    const logged = /^(\s*)console\.log\((.*)\);\s*\/\/\s*((?:(?:true|false|null|-?\d+(?:\.\d+)?)(?:\s+|$))+)$/.exec(
      line,
    );
    if (logged) {
      claims++;
      return `${logged[1]}__logged([${logged[2]}], ${JSON.stringify(logged[3].trim())}, ${index + 1});`;
    }
    const claim = CLAIM.exec(line);
    const literal = claim && LITERAL.exec(claim[3]);
    if (!claim || !literal) return line;
    claims++;
    const expected = literal[1] ?? (literal[2] ? `[${literal[2].split(/\s+or\s+/).join(', ')}]` : literal[3]);
    const kind = literal[1] ? 'equals' : literal[2] ? 'oneOf' : expected.startsWith('[...') ? 'contains' : 'equals';
    const value = kind === 'contains' ? `[${expected.slice(5)}` : expected;
    return `${claim[1]}__claim(() => (${claim[2]}), ${value}, '${kind}', ${index + 1});`;
  });
  return { code: lines.join('\n'), claims };
}

const PRELUDE = `
import * as __memshield from 'memshield';
import * as __testing from 'memshield/testing';
import * as __crypto from 'node:crypto';
import { format as __format, isDeepStrictEqual as __equal } from 'node:util';
const __results = [];
const __out = [];
function __claim(read, expected, kind, line) {
  const actual = read();
  const ok =
    kind === 'oneOf'
      ? expected.includes(actual)
      : kind === 'contains'
        ? expected.every((item) => actual.includes(item))
        : __equal(actual, expected);
  __results.push({ line, ok, actual: String(actual), expected: JSON.stringify(expected), kind });
}
process.on('uncaughtException', (error) => {
  __results.push({ threw: String(error?.code ?? error?.name), message: String(error?.message) });
  console.log(JSON.stringify(__results));
  process.exit(0);
});
function __logged(values, expected, line) {
  const text = __format(...values);
  __results.push({ line, ok: text === expected, actual: text, expected, kind: 'logged' });
}
function __printed(value, expected, line) {
  const text = String(value);
  __out.push(text);
  __results.push({ line, ok: text.includes(expected), actual: text, expected, kind: 'printed' });
}
`;

/** What a block prints when run: its claims' results, or what it threw. */
function runBlock(
  block: Block,
  directory: string,
  index: number,
): { results: Array<{ line: number; ok: boolean; actual: string; expected: string }>; threw?: string; claims: number } {
  const { code, claims } = withClaims(block.code);
  const imported = new Set(
    [...block.code.matchAll(/import\s*\{([^}]*)\}\s*from/g)].flatMap((match) =>
      match[1]
        .split(',')
        .map((name) => name.replace(/\btype\b/, '').trim())
        .filter(Boolean),
    ),
  );
  const names = (list: string[]) => list.filter((name) => !imported.has(name)).join(', ');
  const scope =
    `const { ${names(Object.keys(memshield))} } = __memshield;\nconst { ` +
    `${names(Object.keys(testing).filter((name) => !(name in memshield)))} ` +
    `} = __testing;\nconst { ${names(['createHmac', 'randomBytes'])} } = __crypto;\n`;
  // A module's imports are hoisted, so the block goes in whole; what it throws ends the process
  // through the handler, which still prints the claims checked so far.
  const source = [PRELUDE, scope, givens(block), code, 'console.log(JSON.stringify(__results));'].join('\n');
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const file = join(directory, `block-${index}.mjs`);
  writeFileSync(file, js, { mode: 0o644 }); // readable by the unprivileged child too
  let command = [process.execPath, file];
  if (marker(block, 'memlock 0, unprivileged') !== undefined) {
    const enforced = memlockEnforced(0, command);
    if ('skip' in enforced) throw new Error(`${block.where} needs memlock 0 unprivileged: ${enforced.skip}`);
    command = enforced.argv;
  }
  const child = spawnSync(command[0], command.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const last = child.stdout.trim().split('\n').at(-1);
  if (!last?.startsWith('['))
    throw new Error(`${block.where} printed no results (status ${child.status}): ${child.stderr.slice(0, 2000)}`);
  const entries = JSON.parse(last) as Array<{
    line: number;
    ok: boolean;
    actual: string;
    expected: string;
    threw?: string;
    message?: string;
  }>;
  const thrown = entries.find((entry) => entry.threw !== undefined);
  return {
    results: entries.filter((entry) => entry.threw === undefined),
    threw: thrown && `${thrown.threw}: ${thrown.message}`,
    claims,
  };
}

const blocks = DOCUMENTS.flatMap(blocksOf);
let directory: string | undefined;
/** A folder inside the package (so that `import 'memshield'` resolves to it), readable by anyone. */
function workDirectory(): string {
  if (!directory) {
    directory = mkdtempSync(join(ROOT, '.examples-'));
    chmodSync(directory, 0o755);
  }
  return directory;
}
afterAll(() => {
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('every ts/js block of README.md and docs/*.md', () => {
  it('are found: at least the ones these documents had when this test was written', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(20);
  });

  const runs = (block: Block) => marker(block, 'not run:') === undefined && !fileMarker(block);
  const listed = (list: Block[]) => list.map((block) => [block.where, block, blocks.indexOf(block)] as const);

  it.each(listed(blocks.filter((block) => !runs(block))))(
    '%s says why it does not run, or is the test file it names',
    (_, block) => {
      const reason = marker(block, 'not run:');
      const file = fileMarker(block);
      if (file && reason === undefined)
        expect(block.code, `${block.where} is ${file} as it is`).toBe(readFileSync(join(ROOT, file), 'utf8'));
      else expect(reason?.length, 'a block that does not run says why').toBeGreaterThan(20);
    },
  );

  // The examples show Linux's kernel view and limits (smaps, prlimit): they run on Linux.
  it.runIf(process.platform === 'linux').each(listed(blocks.filter(runs)))(
    '%s runs, and its claims hold',
    (_, block, index) => {
      expectFreshBuild();
      const { results, threw, claims } = runBlock(block, workDirectory(), index);
      const throws = marker(block, 'throws');
      if (throws) expect(threw, `${block.where} throws ${throws}`).toMatch(new RegExp(`^${throws}\\b`));
      else expect(threw, `${block.where} ran to its end`).toBeUndefined();
      const failed = results.filter((result) => !result.ok);
      expect(failed, `${block.where}: claims in comments that did not hold`).toEqual([]);
      if (!throws) expect(results.length, `${block.where}: every claim was checked`).toBe(claims);
    },
  );
});

describe.runIf(process.platform === 'linux')('the claim checker (controls)', () => {
  it('finds each kind of claim, and a false one fails', () => {
    const block: Block = {
      where: 'control',
      markers: [],
      code: [
        '[1, 2].length; // 2',
        "'x'.repeat(2); // 'xx' or 'yy'",
        '[0, 1, 2]; // [..., 2]',
        'console.log(\'printed text\'); // "printed t…"',
        '[1].length; // 5 — false',
        'console.log(64, true); // 64 true',
        'console.log(64, true); // 64 false',
        '',
      ].join('\n'),
    };
    const { results, claims } = runBlock(block, workDirectory(), 999);
    expect(claims).toBe(7);
    expect(results.map((result) => result.ok)).toEqual([true, true, true, true, false, true, false]);
  });

  it('reports a block that throws', () => {
    const { threw } = runBlock(
      { where: 'control', markers: [], code: "PlatformMemory.allocate(0, 8, 'ReadWrite', 'Regular');\n" },
      workDirectory(),
      998,
    );
    expect(threw).toMatch(/^INVALID_ARGUMENT/);
  });
});
