// The Wasm core never holds a secret: after every kind of operation on SecureBuffers and heap
// secrets (copies in and out, scoped access, the copying path, canary checks, wipes), the core's
// linear memory does not contain the secret's bytes. The control plants the secret in that same
// memory and finds it with the same search.
import { describe, expect, it } from 'vitest';
import { SecureBuffer, SecureHeap } from '../../src/index.js';
import { nativeHost } from '../../src/default-memory.js';
import { secureCoreFor } from '../../src/secure-core.js';
import { contains, secretBytes } from './peek.js';

describe('the Wasm core memory', () => {
  it('never contains a secret that went through SecureBuffer and SecureHeap', () => {
    const host = nativeHost();
    const viewless = { ...host, view: () => undefined };
    const secret = secretBytes(40, 0x33);
    const twin = secretBytes(40, 0x33); // what to look for (the source gets wiped)

    const standalone = SecureBuffer.from(secretBytes(40, 0x33));
    standalone.use((view) => view[0]);
    standalone.update((view) => {
      view[1] ^= 0;
    });
    expect(standalone.equals(twin)).toBe(true);
    const copied = SecureBuffer.from(secretBytes(40, 0x33), { host: viewless });
    copied.update((view) => {
      view[2] ^= 0;
    });
    expect(copied.equals(standalone)).toBe(true);

    const heap = new SecureHeap();
    const slotted = heap.from(secretBytes(40, 0x33));
    const neighbours = Array.from({ length: 20 }, () => heap.from(secret.slice()));
    expect(slotted.equals(twin)).toBe(true);
    for (const buffer of neighbours) buffer.dispose();
    heap.flush(); // canary checks read the slots' surroundings back into the core
    standalone.dispose();
    copied.dispose();
    const still = slotted; // a live heap secret while the memory is searched

    for (const core of [secureCoreFor(host), secureCoreFor(viewless)]) {
      const memory = new Uint8Array(core.exports.memory.buffer);
      expect(contains(memory, twin)).toBe(false);
      // Control: the same search finds the secret once it is planted in this memory.
      const spot = memory.length - 4096;
      const saved = memory.slice(spot, spot + twin.length);
      memory.set(twin, spot);
      expect(contains(memory, twin)).toBe(true);
      memory.set(saved, spot);
    }
    still.dispose();
    heap.destroy();
  });
});
