// No hook installed after memshield loaded is handed a core's Wasm memory, whose records hold
// every region's size, offsets and mapping: not the WebAssembly.Memory `buffer` getter (read
// through the one captured at load), not a TypedArray getter a caller's own host triggers (a host
// gets a fresh array for the core's canary copies, never a view of core memory), not a replaced
// global Uint8Array (captured at load, here and in the simulated host). The child
// (test/fixtures/hostile-core-memory.mjs) also tries the attack an attacker's review found — with
// the core's memory, point region B's record at region A's mapping — and reads B. Controls: each
// hook fires when asked directly.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AllocationType, MemoryProtectionLevel, type Region, createPlatformMemory } from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';
import { expectFreshBuild } from '../helpers/fresh-build.js';
import { lastJson, run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/hostile-core-memory.mjs', import.meta.url));

interface Report {
  cores: number;
  seen: Record<'memoryGetter' | 'coreMemoryGetter' | 'lengthOnCore' | 'constructed' | 'rewritten', number>;
  results: Record<'readA' | 'readB' | 'standalone' | 'inHeap' | 'ownHost' | 'simulated', string>;
  secret: string;
  controls: Record<'memoryGetter' | 'lengthOnCore' | 'constructed', number>;
}

describe.runIf(process.platform === 'linux')('hooks installed after load and the cores’ Wasm memory', () => {
  it('never see it, so region B never reads region A (controls: each hook fires when asked)', async () => {
    expectFreshBuild();
    const result = await run(process.execPath, [FIXTURE]);
    expect(result.status, result.stderr).toBe(0);
    const { cores, seen, results, secret, controls } = lastJson<Report>(result);

    expect(cores).toBeGreaterThanOrEqual(3); // the ready-made memory, the secure core, two of their own
    expect(seen).toEqual({ memoryGetter: 0, coreMemoryGetter: 0, lengthOnCore: 0, constructed: 0, rewritten: 0 });
    expect(results.readB).toBe('00'.repeat(32));
    for (const name of ['readA', 'standalone', 'inHeap', 'ownHost', 'simulated'] as const) {
      expect(results[name], name).toBe(secret);
    }
    expect(controls).toEqual({ memoryGetter: 1, lengthOnCore: 1, constructed: 1 });
  });
});

// A host that calls back into the same core during one of the core's copies (its canary, here)
// must not have that nested copy overwrite and wipe the scratch its own copy is using: each
// region's canary is written and checked intact (before the nested copy took an array of its own,
// the outer canary read back as zeros and free() said CANARY_CORRUPTED).
describe('a host that re-enters the core during a canary copy', () => {
  it('gets a nested copy that leaves the outer one intact: both regions free without CANARY_CORRUPTED', () => {
    const simulated = createSimulatedHost();
    let memory: ReturnType<typeof createPlatformMemory> | undefined;
    let nested: Region | undefined;
    let reentered = 0;
    const reenter = () => {
      if (memory && nested === undefined && reentered++ === 0) {
        nested = memory.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
      }
    };
    const host = {
      ...simulated,
      copyIn(id: number, offset: number, source: Uint8Array) {
        reenter();
        return simulated.copyIn(id, offset, source);
      },
      copyOut(id: number, offset: number, target: Uint8Array) {
        reenter();
        return simulated.copyOut(id, offset, target);
      },
    };
    memory = createPlatformMemory({ host });
    const outer = memory.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    expect(reentered).toBeGreaterThan(0); // control: the nested allocation really ran inside a core copy
    expect(nested).toBeDefined();
    memory.free(nested!);
    memory.free(outer);
    expect(memory.stats().liveRegions).toBe(0);
  });
});
