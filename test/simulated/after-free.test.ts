// Freed secrets are zero before unmap, through the simulated host (any OS): every mapping's bytes
// as they were at unmap (onUnmap), for SecureBuffer and SecureHeap — in secret memory and in
// ordinary pages — and for Secure regions in secret memory (test/core/zeroing.test.ts covers the
// other PlatformMemory regions). Each case first reads the secret back from raw memory, inside a
// scope (the control: the reader finds it there), then checks that no unmap ever carried it.
import { describe, expect, it } from 'vitest';
import {
  AllocationType,
  MemoryProtectionLevel,
  SecureBuffer,
  SecureHeap,
  createPlatformMemory,
  type SecretMemoryPolicy,
} from '../../src/index.js';
import { createSimulatedHost, type SimulatedHost, type UnmapRecord } from '../../src/testing.js';
import { PAGE_SIZES } from './fixtures.js';

/** A simulated host that keeps every unmapped mapping's bytes. */
function watched(pageSize: number, secretMemory: boolean) {
  const unmaps: Array<{ record: UnmapRecord; bytes: Uint8Array }> = [];
  const host = createSimulatedHost({
    pageSize,
    seed: 7,
    capabilities: { secretMemory },
    onUnmap: (record, bytes) => unmaps.push({ record, bytes }),
  });
  return { host, unmaps };
}

function marker(seed: number, length = 32): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => ((seed * 131 + i * 29) % 255) + 1);
}

const contains = (haystack: Uint8Array, needle: Uint8Array) => Buffer.from(haystack).includes(Buffer.from(needle));

/** The raw bytes of a live secret, read inside a use() (the control). */
function rawInside(host: SimulatedHost, secret: SecureBuffer): Uint8Array {
  return secret.use(() => host.raw.read(secret.inspect().data.address, secret.size));
}

/** Every unmap so far carried no non-zero byte and none of the markers. */
function expectAllZero(unmaps: Array<{ record: UnmapRecord; bytes: Uint8Array }>, markers: Uint8Array[]): void {
  expect(unmaps.length).toBeGreaterThan(0);
  for (const { record, bytes } of unmaps) {
    expect(record.nonZeroBytes).toBe(0);
    for (const m of markers) expect(contains(bytes, m)).toBe(false);
  }
}

const CASES: Array<[string, boolean, SecretMemoryPolicy]> = [
  ['secret memory', true, 'preferred'],
  ['ordinary pages', false, 'preferred'],
  ['ordinary pages (secretMemory off)', true, 'off'],
];

describe.each(PAGE_SIZES)('after free, %i-byte pages (simulated host)', (pageSize) => {
  describe.each(CASES)('%s', (_label, secretMemory, policy) => {
    it('SecureBuffer: disposed, every byte of its mapping is zero at unmap', () => {
      const { host, unmaps } = watched(pageSize, secretMemory);
      const m = marker(1);
      const secret = SecureBuffer.from(m.slice(), { host, secretMemory: policy });
      expect(secret.inspect().backing).toBe(secretMemory && policy !== 'off' ? 'secret-memory' : 'anonymous');
      expect(rawInside(host, secret)).toEqual(m); // the control
      secret.dispose();
      expect(unmaps).toHaveLength(1);
      expectAllZero(unmaps, [m]);
    });

    it(
      'SecureHeap: slots freed (wiped at the end of the ' + 'tick), trimmed, a dedicated region, the rest destroyed',
      async () => {
        const { host, unmaps } = watched(pageSize, secretMemory);
        const heap = new SecureHeap({ host, secretMemory: policy, arenaSize: pageSize * 2 });
        const markers = [marker(2), marker(3, 48), marker(4, 5000)];
        const [freed, live, big] = markers.map((m) => heap.from(m.slice()));
        // The controls.
        markers.forEach((m, i) => {
          expect(rawInside(host, [freed, live, big][i])).toEqual(m);
        });
        freed.dispose();
        big.dispose(); // its own region: wiped and unmapped now
        await new Promise((resolve) => setTimeout(resolve, 0)); // the end-of-tick wipe of the freed slot
        heap.trim(); // nothing to release while `live` holds the arena
        heap.destroy();
        expect(unmaps).toHaveLength(2); // the dedicated region, the arena
        expectAllZero(unmaps, markers);
      },
    );
  });

  it('a Secure region in secret memory: free wipes it before unmap, at any protection', () => {
    const { host, unmaps } = watched(pageSize, true);
    const mem = createPlatformMemory({ host });
    const m = marker(5, 100);
    const region = mem.allocate(100, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure, {
      secretMemory: 'required',
    });
    mem.write(region, m);
    expect(host.raw.read(mem.inspect(region).data.address, 100)).toEqual(m); // the control
    mem.protect(region, MemoryProtectionLevel.NoAccess);
    mem.free(region);
    expectAllZero(unmaps, [m]);
  });

  it(
    'a fallback from secret memory unmaps its first try empty; and the ' +
      "records do see bytes left behind (a failed allocation's canary)",
    () => {
      const { host, unmaps } = watched(pageSize, true);
      host.injectFault({ op: 'mapSecret', nth: 1, errno: 'EAGAIN' });
      const secret = SecureBuffer.alloc(32, { host });
      expect(secret.inspect().backing).toBe('anonymous'); // preferred: fell back to ordinary pages
      expect(unmaps).toHaveLength(1);
      // The first mapping never got its data pages: only NoAccess reservation, nothing written → zero.
      expect(unmaps[0].record.nonZeroBytes).toBe(0);
      host.injectFault({ op: 'lock', nth: 1, errno: 'EPERM' });
      expect(() => SecureBuffer.alloc(32, { host, secretMemory: 'off' })).toThrow(/mlock failed with EPERM/);
      expect(unmaps.at(-1)!.record.nonZeroBytes).toBeGreaterThan(0); // a failed allocation's canary, never a secret
      secret.dispose();
    },
  );
});
