// FIFO reuse of heap slots, seen through the core's answers (each secret's data address): a freed
// slot is handed out again only after every other free slot of its page, and a page that regains a
// free slot waits behind the pages already in its class's list. The control in each: the freed
// slot does come back (so the search for it can find it).
import { describe, expect, it } from 'vitest';
import { SecureHeap, type SecureBuffer } from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';
import { slotLayout } from './slot-layout.js';

const PAGE = 4096;
const pageOf = (address: bigint) => address / BigInt(PAGE);
const addressOf = (secret: SecureBuffer) => secret.inspect().data.address;

/** Allocates 32-byte secrets until one lands at `address`; returns those made before it, and it. */
function allocateUntil(
  heap: SecureHeap,
  address: bigint,
  limit: number,
): { before: SecureBuffer[]; found?: SecureBuffer } {
  const before: SecureBuffer[] = [];
  for (let i = 0; i < limit; i++) {
    const secret = heap.alloc(32);
    if (addressOf(secret) === address) return { before, found: secret };
    before.push(secret);
  }
  return { before };
}

describe('SecureHeap slot reuse (FIFO)', () => {
  const [, perPage] = slotLayout(32, PAGE);

  it('hands a freed slot out again only after every other free slot of its page', () => {
    const heap = new SecureHeap({ host: createSimulatedHost({ seed: 3 }) });
    const [a, b, c] = [heap.alloc(32), heap.alloc(32), heap.alloc(32)];
    const freed = addressOf(a);
    a.dispose();
    heap.flush(); // wiped: its slot is free again
    const { before, found } = allocateUntil(heap, freed, 2 * perPage);
    expect(found).toBeDefined(); // the control: it does come back
    expect(before.length).toBe(perPage - 3); // every other free slot of the page came first
    expect(new Set(before.map((secret) => pageOf(addressOf(secret))))).toEqual(new Set([pageOf(freed)]));
    expect(new Set(before.map(addressOf)).size).toBe(before.length);
    expect(pageOf(addressOf(heap.alloc(32)))).not.toBe(pageOf(freed)); // the page is full now
    void [b, c];
    heap.destroy();
  });

  it('puts a page that regains a free slot behind the pages already waiting in its class', () => {
    const heap = new SecureHeap({ host: createSimulatedHost({ seed: 4 }) });
    const first = Array.from({ length: perPage }, () => heap.alloc(32)); // page P, full
    const next = heap.alloc(32); // page Q: formatted now, the head of the class's list
    expect(pageOf(addressOf(next))).not.toBe(pageOf(addressOf(first[0])));
    const freed = addressOf(first[10]);
    first[10].dispose();
    heap.flush(); // P has a free slot again: it joins the list behind Q
    const { before, found } = allocateUntil(heap, freed, 4 * perPage);
    expect(found).toBeDefined(); // the control
    expect(before.length).toBeGreaterThanOrEqual(perPage - 1); // Q's other slots at least, all first
    expect(before.slice(0, perPage - 1).every((secret) => pageOf(addressOf(secret)) === pageOf(addressOf(next)))).toBe(
      true,
    );
    heap.destroy();
  });

  it('isolation: true gives every secret a guarded region of its own, never a slot', () => {
    const host = createSimulatedHost({ seed: 5 });
    const heap = new SecureHeap({ host, isolation: true });
    const secrets = [heap.alloc(32), heap.alloc(32)];
    const [one, two] = secrets.map((secret) => secret.inspect());
    expect([one.placement, two.placement]).toEqual(['region', 'region']);
    expect(one.guards.length).toBe(2);
    expect(pageOf(one.data.address)).not.toBe(pageOf(two.data.address));
    expect(heap.stats()).toMatchObject({ isolation: true, arenas: 0, dedicatedRegions: 2, live: 2 });
    expect(new SecureHeap({ host }).stats().isolation).toBe(false); // the control: the default packs slots
    heap.destroy();
  });

  it('refuses an isolation option that is not a boolean', () => {
    expect(() => new SecureHeap({ host: createSimulatedHost(), isolation: 'on' as unknown as boolean })).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/options.isolation must be true or false/),
      }),
    );
  });
});
