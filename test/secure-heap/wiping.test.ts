// When a freed heap secret is wiped, read straight from memory (/proc/self/mem) without opening
// its page: still there right after dispose() (the control), gone at the end of the tick, after
// flush(), and after destroy(); the canary gaps around it are untouched; a reused slot is zero.
import { afterEach, describe, expect, it } from 'vitest';
import { SecureHeap } from '../../src/index.js';
import { entryAt, readMaps } from '../helpers/kernel.js';
import { peek, permsAt, secretBytes } from '../secure-buffer/peek.js';

const heaps: SecureHeap[] = [];
afterEach(() => {
  for (const heap of heaps.splice(0)) heap.destroy();
});
// Ordinary pages (secretMemory 'off'): /proc/self/mem, the reader here, cannot read secret memory.
function makeHeap(): SecureHeap {
  const heap = new SecureHeap({ secretMemory: 'off' });
  heaps.push(heap);
  return heap;
}

const GAP = 16;
const isZero = (bytes: Uint8Array) => bytes.every((byte) => byte === 0);

describe('wiping freed heap secrets', () => {
  it(
    'keeps a freed secret (NoAccess) until the end of ' + 'the tick, then zeroes it and leaves the gaps intact',
    async () => {
      const heap = makeHeap();
      const key = heap.from(secretBytes(32));
      const { address } = key.inspect().data;
      const gapsBefore = [peek(address - BigInt(GAP), GAP), peek(address + 32n, GAP)];
      for (const gap of gapsBefore) expect(isZero(gap)).toBe(false); // the canary pattern
      key.dispose();
      expect(Array.from(peek(address, 32))).toEqual(Array.from(secretBytes(32))); // the control
      expect(heap.stats().pendingWipes).toBe(1);
      expect(permsAt(address, 32)).toEqual(['---p']);
      await Promise.resolve(); // the end of this tick: the wipe scheduled by dispose() ran before us
      expect(isZero(peek(address, 32))).toBe(true);
      expect(heap.stats().pendingWipes).toBe(0);
      expect([peek(address - BigInt(GAP), GAP), peek(address + 32n, GAP)]).toEqual(gapsBefore);
      expect(permsAt(address, 32)).toEqual(['---p']);
    },
  );

  it('wipes at once on flush()', () => {
    const heap = makeHeap();
    const keys = Array.from({ length: 100 }, (_, i) => heap.from(secretBytes(48, i)));
    const addresses = keys.map((key) => key.inspect().data.address);
    for (const key of keys) key.dispose();
    expect(
      addresses.filter((address, i) => Array.from(peek(address, 48)).join() === Array.from(secretBytes(48, i)).join())
        .length,
    ).toBe(100);
    heap.flush();
    expect(addresses.every((address) => isZero(peek(address, 48)))).toBe(true);
  });

  it('gives a reused slot back zero-filled, and zeroes the slack behind a shorter secret', () => {
    const heap = makeHeap();
    const first = heap.from(secretBytes(32));
    const { address } = first.inspect().data;
    first.dispose();
    heap.flush();
    // Same 32-byte class: the slot comes round again once the page's other free slots were taken (FIFO).
    const others = [];
    let second = heap.alloc(20);
    while (second.inspect().data.address !== address && others.length < 4096) {
      others.push(second);
      second = heap.alloc(20);
    }
    expect(second.inspect().data.address).toBe(address);
    expect(others.length).toBeGreaterThan(0);
    expect(second.use((view) => Array.from(view))).toEqual(new Array(20).fill(0));
    second.update((view) => view.set(secretBytes(20, 7)));
    expect(isZero(peek(address + 20n, 12))).toBe(true); // the slack stays zero
  });

  it('wipes live and freed secrets on destroy(), unmaps the arenas, and makes their buffers throw', () => {
    const heap = new SecureHeap({ secretMemory: 'off' });
    const live = heap.from(secretBytes(32, 1));
    const freed = heap.from(secretBytes(32, 2));
    const {
      arenas: [arena],
    } = heap.inspect();
    const liveAddress = live.inspect().data.address;
    freed.dispose();
    expect(Array.from(peek(liveAddress, 32))).toEqual(Array.from(secretBytes(32, 1)));
    heap.destroy();
    expect(entryAt(readMaps(), arena.mapping.address)).toBeUndefined();
    expect(live.disposed).toBe(true);
    expect(() => live.use(() => 0)).toThrow(expect.objectContaining({ code: 'USE_AFTER_FREE' }));
    live.dispose(); // harmless
    heap.destroy(); // harmless
    expect(heap.destroyed).toBe(true);
    expect(() => heap.alloc(8)).toThrow(expect.objectContaining({ code: 'USE_AFTER_FREE' }));
  });
});
