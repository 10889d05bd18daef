// The core's random bytes (its canary) never pass a view of Wasm memory to JS code that reads
// properties. Natively (a child: test/fixtures/hostile-random-bytes.mjs), TypedArray getters and
// a crypto.getRandomValues installed after load see no view of any core's memory while four cores
// start and secrets live, and the canaries are random, repeat their pattern and differ per core.
// Controls: the getters fire for an ordinary Buffer, and Node's getRandomValues hands them a view
// of a fresh WebAssembly.Memory (the old path), which they recognise as Wasm memory.
// In process: a host's failed or empty draw stops the core from starting, with ALLOCATION_FAILED.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createPlatformMemory, MemoryProtectionError } from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';
import { expectFreshBuild } from '../helpers/fresh-build.js';
import { lastJson, run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/hostile-random-bytes.mjs', import.meta.url));

interface Canary {
  pattern: string;
  allZero: boolean;
  repeats: boolean;
  slack: number;
}
interface Report {
  coresBeforeHooks: number;
  coresMade: number;
  seenWasm: string[];
  seenOther: string[];
  randomCalls: string[];
  readBack: boolean[];
  used: boolean[];
  sizes: number[];
  canaries: Canary[];
  controlOther: number;
  controlWasm: string[];
}

describe.runIf(process.platform === 'linux')('TypedArray getters and getRandomValues replaced after load', () => {
  it('see no view of core memory while four cores start and secrets are made, used and freed; ' +
    'the secrets stay intact and the process exits 0 (control: they see a Buffer, and a Wasm view ' +
    "through Node's getRandomValues)", async () => {
    expectFreshBuild();
    const result = await run(process.execPath, [FIXTURE], {
      env: { ...process.env, MEMSHIELD_SECRET_MEMORY: 'off' }, // /proc/self/mem cannot read secret memory
    });
    expect(result.signal, result.stderr).toBeNull();
    expect(result.status, result.stderr).toBe(0);
    const report = lastJson<Report>(result);

    expect(report.coresBeforeHooks).toBe(0); // every core started under the hooks
    expect(report.coresMade).toBe(4);
    expect(report.seenWasm).toEqual([]);
    expect(report.seenOther).toEqual([]);
    expect(report.randomCalls).toEqual([]);
    expect(report.readBack).toEqual([true, true, true]);
    expect(report.used).toEqual([true, true, true, true]);
    expect(report.sizes).toEqual([32, 32, 32, 32]);

    // The controls: the getters were installed and recognise a Wasm memory view when handed one.
    expect(report.controlOther).toBeGreaterThan(0);
    expect(report.controlWasm).toContain('byteLength');
  }, 60_000);

  it('gives each core an unguessable canary: not zero (the replaced getRandomValues fills nothing), the ' +
    'slack repeats it, and no two cores share one', async () => {
    const result = await run(process.execPath, [FIXTURE], {
      env: { ...process.env, MEMSHIELD_SECRET_MEMORY: 'off' },
    });
    expect(result.status, result.stderr).toBe(0);
    const { canaries } = lastJson<Report>(result);
    expect(canaries).toHaveLength(4);
    for (const canary of canaries) {
      expect(canary.slack).toBeGreaterThanOrEqual(16); // a whole pattern was read
      expect(canary.allZero).toBe(false);
      expect(canary.repeats).toBe(true); // the reader found the canary, not other bytes
    }
    expect(new Set(canaries.map((canary) => canary.pattern)).size).toBe(4);
  }, 60_000);
});

describe('a host whose random draw fails', () => {
  /** The simulated host with its randomBytes replaced. */
  const hostDrawing = (randomBytes: (target: Uint8Array) => unknown) => ({
    ...createSimulatedHost(),
    randomBytes,
  });

  function startError(randomBytes: (target: Uint8Array) => unknown): MemoryProtectionError {
    try {
      createPlatformMemory({ host: hostDrawing(randomBytes) as never });
    } catch (error) {
      if (error instanceof MemoryProtectionError) return error;
      throw error;
    }
    throw new Error('the core started');
  }

  it('an OS error stops the core with ALLOCATION_FAILED naming the call and errno', () => {
    const error = startError(() => 5);
    expect(error.code).toBe('ALLOCATION_FAILED');
    expect(error.syscall).toBe('getrandom');
    expect(error.errno).toBe(5);
    expect(error.message).toMatch(/getrandom failed with EIO \(5\).*no unguessable canary/);
  });

  it('a draw that leaves every byte zero stops it too (never a guessable canary)', () => {
    const error = startError(() => 0);
    expect(error.code).toBe('ALLOCATION_FAILED');
    expect(error.syscall).toBe('getrandom');
    expect(error.message).toMatch(/getrandom left every byte zero/);
  });

  it('an answer that is no error number is refused as EINVAL', () => {
    expect(startError(() => 'fine').errno).toBe(22);
    expect(startError(() => -1).errno).toBe(22);
  });

  it(
    'hands the host a fresh array of 16 bytes, never a view of Wasm memory (control: a host that ' +
      'fills it, answering 0 or, as hosts did before, undefined, starts)',
    () => {
      const handed: { bufferBytes: number; length: number }[] = [];
      for (const answer of [0, undefined]) {
        const memory = createPlatformMemory({
          host: hostDrawing((target) => {
            handed.push({ bufferBytes: target.buffer.byteLength, length: target.byteLength });
            target.fill(0xa5);
            return answer;
          }) as never,
        });
        expect(memory.pageSize()).toBeGreaterThan(0);
      }
      expect(handed).toEqual([
        { bufferBytes: 16, length: 16 }, // its own 16-byte buffer: no Wasm memory (64 KiB pages) behind it
        { bufferBytes: 16, length: 16 },
      ]);
    },
  );
});
