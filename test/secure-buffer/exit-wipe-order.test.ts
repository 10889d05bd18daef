// The order of the exit wipe, on the simulated host's trace: a SIGKILL (a supervisor's timeout,
// the OOM killer) may end the process part-way through it, so the smallest, most valuable secrets
// go first — standalone one-page secrets, then heap arenas, then larger standalone secrets —
// whatever order they were made in.
import { describe, expect, it } from 'vitest';
import { SecureBuffer, SecureHeap } from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';
import { secureCoreFor } from '../../src/secure-core.js';
import { codeOf } from '../helpers/errors.js';
import { secretBytes } from './peek.js';

const PAGE = 4096;

describe('the exit wipe order', () => {
  it('wipes one-page standalone secrets first, heap arenas next, larger standalone secrets last', () => {
    const host = createSimulatedHost({ seed: 7 });
    // Made in the opposite order: large, heap, small.
    const large = SecureBuffer.from(secretBytes(3 * PAGE, 1), { host });
    const heap = new SecureHeap({ host, arenaSize: 8 * PAGE });
    const inHeap = heap.from(secretBytes(32, 2));
    const small = SecureBuffer.from(secretBytes(32, 3), { host });
    // Each wipe (a fill with zero) named by the mapping it is in.
    const mappingOf = (buffer: SecureBuffer) => buffer.inspect().mapping.address;
    const names = new Map([
      [mappingOf(small), 'small'],
      [mappingOf(inHeap), 'heap arena'],
      [mappingOf(large), 'large'],
    ]);
    host.clearTrace();
    const wiped = secureCoreFor(host).exports.wipeAllSecrets();
    const fills = host.trace().filter((entry) => entry.op === 'fill' && entry.byte === 0);
    expect(wiped).toBe(3);
    expect(fills.map((entry) => names.get(host.address((entry as { id: number }).id)))).toEqual([
      'small',
      'heap arena',
      'large',
    ]);
    for (const buffer of [large, inHeap, small]) expect(codeOf(() => buffer.use(() => 0))).toBe('USE_AFTER_FREE');
  });
});
