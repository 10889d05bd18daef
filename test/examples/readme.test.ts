// The README must show code that works: the specification's examples run as written on the
// native host, and the simulated-host example is the test file beside this one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AllocationType, MemoryProtectionError, MemoryProtectionLevel, PlatformMemory } from '../../src/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The ```ts blocks between two headings of the README. */
function blocksBetween(from: string, to: string): string[] {
  const start = readme.indexOf(from);
  const end = readme.indexOf(to, start);
  expect(start, `README has no heading ${from}`).toBeGreaterThan(-1);
  return [...readme.slice(start, end).matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
}

describe('README', () => {
  const examples = blocksBetween("### The specification's examples", '## Errors');

  it('has the five examples of the specification and the inspect one', () => {
    expect(examples).toHaveLength(6);
  });

  it.runIf(process.platform === 'linux').each(examples.map((code, index) => [index + 1, code]))(
    'runs example %i as written, leaving nothing mapped',
    (_, code) => {
      const before = PlatformMemory.stats().liveRegions;
      const run = new Function(
        'PlatformMemory',
        'MemoryProtectionLevel',
        'AllocationType',
        'MemoryProtectionError',
        code as string,
      );
      run(PlatformMemory, MemoryProtectionLevel, AllocationType, MemoryProtectionError);
      expect(PlatformMemory.stats().liveRegions).toBe(before);
    },
  );

  it('shows the simulated-host example exactly as test/examples/readme-simulated-host.test.ts has it', () => {
    const file = readFileSync(new URL('./readme-simulated-host.test.ts', import.meta.url), 'utf8');
    const block = /<!-- test\/examples\/readme-simulated-host\.test\.ts -->\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(file);
  });
});
