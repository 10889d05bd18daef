// purge() over the simulated host: what happens to a secret whose use() is running (deferred until
// it returns), to a heap holding one, to a step that fails (reported, the rest still purged, never
// thrown), and what each old handle says afterwards. The simulated host records every unmap with
// the bytes that were not zero at that moment: the wipe is checked, not assumed.
import { describe, expect, it } from 'vitest';
import { SecureBuffer, SecureHeap, purge } from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';
import { errorOf } from '../helpers/errors.js';

const filled = (length: number, byte: number) => new Uint8Array(length).fill(byte);

/** Runs `body` and returns the process warnings it emitted (and its result). */
function warningsOf<T>(body: () => T): { result: T; warnings: Array<{ code?: string; message: string }> } {
  const warnings: Array<{ code?: string; message: string }> = [];
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, options?: { code?: string }) => {
    warnings.push(
      typeof warning === 'string'
        ? { code: options?.code, message: warning }
        : { code: (warning as { code?: string }).code, message: warning.message },
    );
  }) as typeof process.emitWarning;
  try {
    return { result: body(), warnings };
  } finally {
    process.emitWarning = original;
  }
}

describe('purge() and secrets in use', () => {
  it(
    'defers a secret whose use() is running: it stays readable to that callback, ' +
      'takes no new scope, and is wiped and unmapped when the callback returns',
    () => {
      const host = createSimulatedHost({ seed: 1 });
      const open = SecureBuffer.from(filled(32, 0xaa), { host });
      const other = SecureBuffer.from(filled(32, 0xbb), { host });
      const mappedBefore = host.usage().mappings;

      const inside = open.use((view) => {
        const report = purge();
        return {
          report,
          stillReadable: view.every((byte) => byte === 0xaa), // the running callback is not pulled from under
          nested: errorOf(() => open.use(() => 0)),
          otherGone: errorOf(() => other.use(() => 0)),
          mappingsDuring: host.usage().mappings,
        };
      });

      expect(inside.report).toMatchObject({
        secureBuffers: { count: 1, bytes: 32 },
        deferred: { secrets: 1, heaps: 0 },
        failures: [],
      });
      expect(inside.stillReadable).toBe(true);
      expect(inside.nested).toMatchObject({
        code: 'USE_AFTER_FREE',
        message: expect.stringContaining('purge() was called while a use() or update() of it was running'),
      });
      expect(inside.otherGone).toMatchObject({
        code: 'USE_AFTER_FREE',
        message: expect.stringContaining(`purged by purge() at ${inside.report.at}`),
      });
      expect(inside.mappingsDuring).toBe(mappedBefore - 1); // the other one went at once
      // After the callback returned: the deferred one is gone too, wiped before its pages went back;
      // freed after the purge, its range is quarantined (reserved, holding nothing: docs/stale-views.md).
      expect(host.usage()).toMatchObject({ mappings: mappedBefore - 1, lockedBytes: 0 });
      expect(host.unmapped().map((record) => record.nonZeroBytes)).toEqual([0, 0]);
      expect(errorOf(() => open.use(() => 0))).toMatchObject({
        code: 'USE_AFTER_FREE',
        message: expect.stringContaining('purged by purge()'),
      });
      expect(open.disposed).toBe(true);
    },
  );

  it(
    'frees the other secrets of a heap at once and destroys the ' +
      'heap when the last running callback of its secrets returns',
    () => {
      const host = createSimulatedHost({ seed: 2 });
      const heap = new SecureHeap({ host });
      const busy = heap.from(filled(24, 0x11));
      const idle = heap.from(filled(24, 0x22));
      heap.from(filled(2000, 0x33)); // a dedicated region

      const during = busy.use(() => {
        const report = purge();
        return {
          report,
          idle: errorOf(() => idle.use(() => 0)),
          alloc: errorOf(() => heap.alloc(8)),
          destroyedYet: heap.destroyed,
          unmapsSoFar: host.unmapped().length,
        };
      });

      expect(during.report).toMatchObject({
        heaps: 0,
        heapSecrets: { count: 2, bytes: 2024 },
        deferred: { secrets: 1, heaps: 1 },
        failures: [],
      });
      expect(during.idle).toMatchObject({
        code: 'USE_AFTER_FREE',
        message: expect.stringContaining('purged by purge()'),
      });
      expect(during.alloc).toMatchObject({
        code: 'USE_AFTER_FREE',
        message: expect.stringContaining('purge() was called while'),
      });
      expect(during.destroyedYet).toBe(false);
      expect(during.unmapsSoFar).toBe(1); // the dedicated region; the arena is still lent to the callback
      // The callback returned: the arena is wiped and unmapped, the heap destroyed.
      expect(heap.destroyed).toBe(true);
      expect(host.usage()).toMatchObject({ mappings: 0, lockedBytes: 0 });
      expect(host.unmapped().map((record) => record.nonZeroBytes)).toEqual([0, 0]);
      expect(errorOf(() => heap.stats())).toMatchObject({
        code: 'USE_AFTER_FREE',
        message: expect.stringContaining('purged by purge()'),
      });
    },
  );
});

describe('purge() never stops half-way', () => {
  it(
    'a failed unmap is reported in failures and as one warning; every ' +
      'other secret is still purged; a second purge finishes the job',
    () => {
      const host = createSimulatedHost({ seed: 3 });
      const first = SecureBuffer.from(filled(16, 0x44), { host });
      const second = SecureBuffer.from(filled(16, 0x55), { host });
      const heap = new SecureHeap({ host });
      heap.from(filled(16, 0x66));
      // The first secret's pages cannot be given back: its decommit fails, then its unmap.
      host.injectFault({ op: 'decommit', nth: 1, errno: 'EINVAL' });
      host.injectFault({ op: 'unmap', nth: 1, errno: 'EINVAL' });

      const { result: report, warnings } = warningsOf(() => purge());

      expect(report.failures).toHaveLength(1);
      expect(report.failures[0]).toMatchObject({ code: 'FREE_FAILED', message: expect.stringContaining('munmap') });
      expect(report).toMatchObject({
        secureBuffers: { count: 1, bytes: 16 },
        heaps: 1,
        heapSecrets: { count: 1, bytes: 16 },
      });
      expect(warnings).toEqual([
        { code: 'MEMSHIELD_PURGE_INCOMPLETE', message: expect.stringContaining('purge() finished with 1 failure') },
      ]);
      expect(first.disposed).toBe(false); // the one whose unmap failed is still there (wiped), and says so
      expect(second.disposed).toBe(true);
      expect(host.usage().mappings).toBe(1);

      const again = purge();
      expect(again).toMatchObject({ secureBuffers: { count: 1, bytes: 16 }, failures: [] });
      expect(first.disposed).toBe(true);
      expect(host.usage()).toMatchObject({ mappings: 0, lockedBytes: 0 });
      expect(host.unmapped().every((record) => record.nonZeroBytes === 0)).toBe(true);
    },
  );

  it('a damaged canary is reported (CANARY_CORRUPTED) after that secret is still wiped and unmapped', () => {
    const host = createSimulatedHost({ seed: 5 });
    const damaged = SecureBuffer.from(filled(32, 0x77), { host });
    const intact = SecureBuffer.from(filled(32, 0x78), { host });
    const before = damaged.inspect().data.address - 1n; // the canary slack right in front of the data
    // an underflow by native code
    damaged.update(() => host.raw.write(before, Uint8Array.of(host.raw.read(before, 1)[0] ^ 0xff)));

    const { result: report, warnings } = warningsOf(() => purge());

    expect(report.failures.map((error) => error.code)).toEqual(['CANARY_CORRUPTED']);
    expect(report.secureBuffers).toEqual({ count: 2, bytes: 64 }); // both freed, the damaged one too
    expect(warnings).toEqual([
      { code: 'MEMSHIELD_PURGE_INCOMPLETE', message: expect.stringContaining('CANARY_CORRUPTED') },
    ]);
    expect(damaged.disposed && intact.disposed).toBe(true);
    expect(host.usage().mappings).toBe(0);
    expect(host.unmapped().map((record) => record.nonZeroBytes)).toEqual([0, 0]);
  });

  it('is harmless twice, tells a disposed secret from a purged one, and new secrets work at once', () => {
    const host = createSimulatedHost({ seed: 4 });
    const disposed = SecureBuffer.from(filled(8, 1), { host });
    disposed.dispose();
    const purged = SecureBuffer.from(filled(8, 2), { host });
    const destroyedHeap = new SecureHeap({ host });
    const inDestroyedHeap = destroyedHeap.from(filled(8, 3));
    destroyedHeap.destroy();

    const report = purge();
    expect(report).toMatchObject({ secureBuffers: { count: 1, bytes: 8 }, heaps: 0, failures: [] });
    expect(purge()).toMatchObject({
      secureBuffers: { count: 0 },
      heaps: 0,
      heapSecrets: { count: 0 },
      deferred: { secrets: 0, heaps: 0 },
      failures: [],
    });

    // The control for the message: only the purged one names purge().
    expect(errorOf(() => purged.use(() => 0))?.message).toContain(`purged by purge() at ${report.at}`);
    expect(errorOf(() => disposed.use(() => 0))?.message).toContain('already disposed');
    expect(errorOf(() => disposed.use(() => 0))?.message).not.toContain('purge');
    expect(errorOf(() => inDestroyedHeap.use(() => 0))?.message).toContain("its heap's destroy()");
    expect(errorOf(() => destroyedHeap.alloc(8))?.message).toContain('already destroyed');

    const fresh = SecureBuffer.from(filled(8, 9), { host });
    expect(fresh.use((view) => view[0])).toBe(9);
    fresh.dispose();
  });
});
