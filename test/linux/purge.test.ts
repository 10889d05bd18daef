// purge() on the real Linux host: every kind of secret (a SecureBuffer, a SecureHeap with slots and
// a dedicated region, a region of the ready-made PlatformMemory) is gone from the process — the
// kernel's own view says so: /proc/self/mem no longer reads the bytes, /proc/self/smaps lists no
// readable or locked mapping there, VmLck is back where it was. The control, in the same test: the same reads
// before purge() show every secret and every mapping, so the checks after it can fail.
import { closeSync, openSync, readSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AllocationType,
  MemoryProtectionLevel,
  PlatformMemory,
  SecureBuffer,
  SecureHeap,
  purge,
} from '../../src/index.js';
import { errorOf } from '../helpers/errors.js';
import { overlapping, readMaps, readSmaps, vmLockedBytes } from '../helpers/kernel.js';

const marker = (length: number) => globalThis.crypto.getRandomValues(new Uint8Array(length));

/** `length` bytes at `address` through /proc/self/mem, or the error code the kernel gave. */
function procMem(address: bigint, length: number): Uint8Array | string {
  const fd = openSync('/proc/self/mem', 'r');
  try {
    const bytes = new Uint8Array(length);
    const read = readSync(fd, bytes, 0, length, address as unknown as number);
    return read === length ? bytes : `short read ${read}`;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'error';
  } finally {
    closeSync(fd);
  }
}
const holds = (read: Uint8Array | string, secret: Uint8Array) =>
  typeof read !== 'string' && Buffer.from(read).equals(Buffer.from(secret));

describe('purge() on the native host', () => {
  it(
    'wipes and unmaps a SecureBuffer, a SecureHeap and a ' + 'PlatformMemory region: the control reads them all first',
    () => {
      const lockedBefore = vmLockedBytes();
      // Ordinary pages: /proc/self/mem reads them even at NoAccess (secret memory it never reads).
      const key = marker(32);
      const buffer = SecureBuffer.from(key.slice(), { secretMemory: 'off' });
      const heap = new SecureHeap({ secretMemory: 'off' });
      const small = marker(48);
      const big = marker(3000); // over 1 KiB: a dedicated region of its own
      const slot = heap.from(small.slice());
      const dedicated = heap.from(big.slice());
      const regionBytes = marker(64);
      const region = PlatformMemory.allocate(64, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
      PlatformMemory.write(region, regionBytes);
      PlatformMemory.protect(region, MemoryProtectionLevel.NoAccess);

      const places = [
        { secret: key, data: buffer.inspect().data.address, mapping: buffer.inspect().mapping },
        { secret: small, data: slot.inspect().data.address, mapping: slot.inspect().mapping },
        { secret: big, data: dedicated.inspect().data.address, mapping: dedicated.inspect().mapping },
        {
          secret: regionBytes,
          data: PlatformMemory.inspect(region).data.address,
          mapping: PlatformMemory.inspect(region).mapping,
        },
      ];
      // The control: every secret is readable from outside memshield, every mapping is listed, locked.
      for (const place of places) expect(holds(procMem(place.data, place.secret.length), place.secret)).toBe(true);
      const mapsBefore = readMaps();
      for (const place of places)
        expect(overlapping(mapsBefore, place.mapping.address, place.mapping.length).length).toBeGreaterThan(0);
      expect(vmLockedBytes()).toBeGreaterThan(lockedBefore);

      const lockedWithSecrets = vmLockedBytes();
      const report = purge();

      // Read at once, before anything can map those addresses again. A range may stay reserved
      // NoAccess (a quarantine against stale views reaching a later secret), never readable or locked.
      const mapsAfter = readSmaps();
      for (const place of places) {
        for (const entry of overlapping(mapsAfter, place.mapping.address, place.mapping.length)) {
          expect(entry.perms).toBe('---p');
          expect(entry.flags.has('lo')).toBe(false);
        }
        const read = procMem(place.data, place.secret.length);
        expect(holds(read, place.secret)).toBe(false);
        expect(read === 'EIO' || (typeof read !== 'string' && read.every((byte) => byte === 0))).toBe(true);
      }
      expect(vmLockedBytes()).toBe(lockedBefore);
      // what purge() says it unlocked is what the kernel unlocked
      expect(report.unlockedBytes).toBe(lockedWithSecrets - lockedBefore);
      expect(report).toMatchObject({
        secureBuffers: { count: 1, bytes: 32 },
        heaps: 1,
        heapSecrets: { count: 2, bytes: 48 + 3000 },
        regions: { count: 1, bytes: 64 },
        deferred: { secrets: 0, heaps: 0 },
        failures: [],
      });
      // A heap slot's mapping is its arena's: the four mappings are all there was.
      expect(report.unmappedBytes).toBe(places.reduce((sum, place) => sum + place.mapping.length, 0));

      // Every old handle says what ended it.
      expect(errorOf(() => buffer.use(() => 0))).toMatchObject({
        code: 'USE_AFTER_FREE',
        message: expect.stringContaining(`purged by purge() at ${report.at}`),
      });
      expect(errorOf(() => slot.use(() => 0))).toMatchObject({
        code: 'USE_AFTER_FREE',
        message: expect.stringContaining('purged by purge()'),
      });
      expect(errorOf(() => heap.alloc(8))).toMatchObject({
        code: 'USE_AFTER_FREE',
        message: expect.stringContaining('purged by purge()'),
      });
      expect(errorOf(() => PlatformMemory.write(region, new Uint8Array(1)))).toMatchObject({
        code: 'USE_AFTER_FREE',
        message: expect.stringContaining('purged by purge()'),
      });
      expect(buffer.disposed).toBe(true);
      expect(heap.destroyed).toBe(true);
      expect(region.freed).toBe(true);
      // Disposing afterwards is harmless, and a second purge finds nothing.
      buffer.dispose();
      heap.destroy();
      expect(purge()).toMatchObject({
        secureBuffers: { count: 0, bytes: 0 },
        heaps: 0,
        heapSecrets: { count: 0 },
        regions: { count: 0 },
        unmappedBytes: 0,
        failures: [],
      });
    },
  );
});
