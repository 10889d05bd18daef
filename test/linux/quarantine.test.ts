// The quarantine of freed secrets' ranges stays bounded in address space, and holds no memory:
// a child makes and frees 10,000 SecureBuffers (test/fixtures/quarantine-churn.mjs), under the
// default cap (16 MiB) and under 1 MiB, and reports the kernel's own counts.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/quarantine-churn.mjs', import.meta.url));
/** Mappings V8 and libc may add during the churn (heap growth, code space), whatever memshield does. */
const V8_MAPS_TOLERANCE = 64;

interface Churn {
  rounds: number;
  mappingLength: number;
  baseline: { maps: number; locked: number };
  highestMaps: number;
  after: { maps: number; locked: number; stats: { ranges: number; bytes: number; maxBytes: number; evicted: number } };
}

const churns: Record<string, Churn> = {};
beforeAll(async () => {
  const caps = { default: [], '1 MiB': [String(1024 * 1024)] } as Record<string, string[]>;
  await Promise.all(
    Object.entries(caps).map(async ([name, args]) => {
      const child = await run(process.execPath, [FIXTURE, ...args]);
      expect(child.status, child.stderr).toBe(0);
      churns[name] = lastJson<Churn>(child);
    }),
  );
}, 600_000);

describe.each(['default', '1 MiB'])('10,000 SecureBuffers made and freed, quarantine cap %s', (name) => {
  it('went past the cap (the control: the oldest ranges had to be unmapped), yet holds at most the cap', () => {
    const { rounds, mappingLength, after } = churns[name];
    expect(after.stats.maxBytes).toBe(name === 'default' ? 16 * 1024 * 1024 : 1024 * 1024);
    expect(rounds * mappingLength).toBeGreaterThan(after.stats.maxBytes);
    expect(after.stats.evicted).toBeGreaterThan(0);
    expect(after.stats.bytes).toBeLessThanOrEqual(after.stats.maxBytes);
    expect(after.stats.ranges).toBe(after.stats.bytes / mappingLength);
  });

  it('kept /proc/self/maps bounded by the ranges the cap allows, and VmLck back at its baseline', () => {
    const { mappingLength, baseline, highestMaps, after } = churns[name];
    const allowed = Math.floor(after.stats.maxBytes / mappingLength);
    expect(highestMaps - baseline.maps).toBeLessThanOrEqual(allowed + V8_MAPS_TOLERANCE);
    expect(after.maps - baseline.maps).toBeLessThanOrEqual(allowed + V8_MAPS_TOLERANCE);
    expect(after.locked).toBe(baseline.locked);
  });
});
