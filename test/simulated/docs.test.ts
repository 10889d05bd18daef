// docs/simulated-host.md must say what the code does: its example test is the file that runs,
// its sample trace is what its sample script prints, and the numbers it states are the code's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BASE_ADDRESS, MAX_MAPPING_BYTES } from '../../host/simulated/page-table.js';
import { Protection } from '../../host/types.js';
import { AllocationType, MemoryProtectionLevel, createPlatformMemory } from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';

const doc = readFileSync(new URL('../../docs/simulated-host.md', import.meta.url), 'utf8');

/** The fenced block right after `<!-- marker -->`. */
function blockAfter(marker: string): string {
  const match = new RegExp(`<!-- ${marker} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\`\\n`).exec(doc);
  if (!match) throw new Error(`docs/simulated-host.md has no block after <!-- ${marker} -->`);
  return match[1];
}

describe('docs/simulated-host.md', () => {
  it('shows the example test exactly as test/examples/simulated-host-example.test.ts has it', () => {
    const file = readFileSync(new URL('../examples/simulated-host-example.test.ts', import.meta.url), 'utf8');
    expect(blockAfter('example: test/examples/simulated-host-example.test.ts')).toBe(file);
  });

  it('shows the trace its sample script really gives', () => {
    const host = createSimulatedHost({ faults: [{ op: 'lock', nth: 1, errno: 'EPERM' }] });
    const mem = createPlatformMemory({ host });
    const region = mem.allocate(100, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
    try {
      mem.lock(region);
    } catch {
      /* LOCK_FAILED */
    }
    expect(blockAfter('trace-script')).toContain("faults: [{ op: 'lock', nth: 1, errno: 'EPERM' }]");
    expect(JSON.parse(blockAfter('trace-output'))).toEqual(host.trace());
  });

  it("states the code's numbers: first address, mapping limit, default huge page", () => {
    expect(doc).toContain(`\`0x${BASE_ADDRESS.toString(16)}\``);
    expect(MAX_MAPPING_BYTES).toBe(2 ** 30);
    expect(doc).toContain('at most 1 GiB');
    expect(doc).toContain(`hugePageSize: ${createSimulatedHost().capabilities().hugePageSize} }`);
    expect(doc).toContain(`| \`pageSize\` | \`${createSimulatedHost().pageSize()}\` |`);
  });

  it('lists VmFlags in the order the kernel view prints them', () => {
    const order = /VmFlags in the kernel's order \(`([a-z ]+)`\)/.exec(doc.replace(/\n/g, ' '))![1].split(' ');
    const normal = createSimulatedHost({ capabilities: { explicitHugePages: true } });
    const a = normal.map(4096, 4096, Protection.ReadWriteExecute, 0);
    for (const advice of [1, 2, 3] as const) normal.advise(a, 0, 4096, advice);
    normal.lock(a, 0, 4096);
    const h = normal.map(2 << 20, 4096, Protection.ReadWriteExecute, 1);
    for (const advice of [1, 2, 3] as const) normal.advise(h, 0, 2 << 20, advice);
    for (const id of [a, h]) {
      const flags = normal.kernelView!(normal.address(id), 1)[0].flags;
      expect(flags.length).toBeGreaterThan(9);
      expect(order.filter((flag) => flags.includes(flag))).toEqual(flags);
    }
  });
});
