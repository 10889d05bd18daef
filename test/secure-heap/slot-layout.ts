// How a SecureHeap lays out secrets of one size, measured through the public API alone: the slot
// size inspect() reports, and how many such secrets share a data page before the next page.
import { SecureHeap } from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';

/** [slot size, slots per page] for secrets of `size` bytes; [0, 0] if they get a region of their own. */
export function slotLayout(size: number, pageSize = 4096): [number, number] {
  const heap = new SecureHeap({ host: createSimulatedHost({ pageSize, seed: 1 }), arenaSize: 4 * pageSize });
  try {
    const first = heap.alloc(size).inspect();
    if (first.placement !== 'heapSlot') return [0, 0];
    let perPage = 1;
    while (heap.alloc(size).inspect().dataPages.address === first.dataPages.address) perPage++;
    return [first.slotSize, perPage];
  } finally {
    heap.destroy();
  }
}
