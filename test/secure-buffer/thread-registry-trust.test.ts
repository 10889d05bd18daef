// The worker registry (src/thread-registry.ts) is a SharedArrayBuffer any code in the process can
// write, and a worker can be terminate()d between any two of memshield's steps. Each case is a
// child process (test/fixtures/thread-registry-trust.mjs) read through the kernel: /proc/self/maps,
// VmLck, the bytes through /proc/self/mem. Controls: a forged entry over a mapping that the kernel
// shows as memshield-like IS released (so the others were kept by the kernel check, not by chance),
// a terminate()d worker's real secret is given back by the same sweep, and the bare host (no
// registry) leaves the half-freed region mapped, locked and readable.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/thread-registry-trust.mjs', import.meta.url));
const child = (...args: string[]) => run(process.execPath, [FIXTURE, ...args]);

describe.runIf(process.platform === 'linux')('the worker registry is not trusted', () => {
  it(
    "a forged entry over the main thread's key, over a plain anonymous mapping or over nothing is dropped, " +
      "not released; one over a dump-excluded mapping is (control), and so is a terminate()d worker's secret",
    async () => {
      const result = await child('forge');
      expect(result.signal, result.stderr).toBeNull(); // the key's pages unmapped would crash its use()
      expect(lastJson(result)).toEqual({
        mode: 'forge',
        sweep: 1, // the look-alike only; a high-water mark past the buffer threw no RangeError
        key: { mapped: true, seen: 'secret' },
        plain: { mapped: true, seen: 'secret' },
        // the control: the kernel check is what keeps the others (its marker was there, then gone)
        lookalike: { before: 'secret', markerStays: false },
        entries: { key: 'free', plain: 'free', lookalike: 'free', nothing: 'free' },
        worker: { mapped: false, seen: 'EIO' },
      });
    },
  );

  it(
    'a buffer of the wrong size planted under the registry key ' +
      'before memshield loads gets a fresh registry, not a RangeError',
    async () => {
      const result = await child('plant');
      expect(result.status, result.stderr).toBe(0);
      expect(lastJson(result)).toEqual({ mode: 'plant', alloc: 'secret', registryBytes: 16 + 65536 * 32 });
    },
  );
});

describe.runIf(process.platform === 'linux')('a worker terminate()d inside an unmap', () => {
  it("leaves its entry RELEASING, and the parent's sweep finishes the release: unmapped, unlocked", async () => {
    const report = lastJson<{
      held: { seen: string; vmLocked: number };
      ended: { mapped: boolean; seen: string; vmLocked: number };
      length: number;
    }>(await child('unmap-race'));
    expect(report.held).toEqual({ seen: 'secret', vmLocked: report.length });
    // before: removed first, it stayed mapped and locked
    expect(report.ended).toEqual({ mapped: false, seen: 'EIO', vmLocked: 0 });
  });

  it('control: the same region through the bare host (no registry) stays mapped, locked and readable', async () => {
    const report = lastJson<{
      held: { seen: string; vmLocked: number };
      ended: { mapped: boolean; seen: string; vmLocked: number };
      length: number;
    }>(await child('unmap-race', 'untracked'));
    expect(report.held).toEqual({ seen: 'secret', vmLocked: report.length });
    expect(report.ended).toEqual({ mapped: true, seen: 'secret', vmLocked: report.length });
  });
});
