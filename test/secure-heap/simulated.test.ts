// SecureHeap and SecureBuffer over the simulated host: the host calls they make (traced), other
// page sizes, the memlock limit, and canary damage written by "native code" (raw access).
import { describe, expect, it } from 'vitest';
import { type MemoryProtectionError, SecureBuffer, SecureHeap } from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';
import { slotLayout } from './slot-layout.js';
import { secretBytes } from '../secure-buffer/peek.js';
import { errorOf } from '../helpers/errors.js';

const OS_CALLS = new Set(['map', 'unmap', 'protect', 'lock', 'unlock', 'advise']);

describe('SecureHeap on the simulated host', () => {
  it('allocates and frees thousands of secrets with a few OS calls in all', () => {
    const host = createSimulatedHost({ seed: 1 });
    const heap = new SecureHeap({ host });
    host.clearTrace();
    const count = 5000;
    for (let round = 0; round < 4; round++) {
      const secrets = Array.from({ length: count }, () => heap.alloc(32));
      for (const secret of secrets) secret.dispose();
    }
    heap.flush();
    const osCalls = host.trace().filter((entry) => OS_CALLS.has(entry.op));
    // 20,000 allocations and frees: the arena's mapping, its batches of formatting and of wiping.
    expect(osCalls.length / (4 * count)).toBeLessThan(0.02);
    expect(heap.stats()).toMatchObject({ live: 0, pendingWipes: 0, canaryFailures: 0 });
    heap.destroy();
  });

  for (const pageSize of [16384, 65536]) {
    it(`lays slots out on ${pageSize / 1024} KiB pages and opens one page per use()`, () => {
      const host = createSimulatedHost({ pageSize, seed: 2 });
      const [, perPage] = slotLayout(32, pageSize);
      expect(perPage).toBe(Math.floor((pageSize - 16) / 48));
      const heap = new SecureHeap({ host, arenaSize: 4 * pageSize });
      const secrets = Array.from({ length: perPage + 1 }, (_, i) => heap.from(secretBytes(32, i)));
      const first = secrets[0].inspect().dataPages.address;
      expect(secrets[perPage - 1].inspect().dataPages.address).toBe(first);
      expect(secrets[perPage].inspect().dataPages.address).toBe(first + BigInt(pageSize));
      host.clearTrace();
      expect(secrets[perPage].use((view) => view[0])).toBe(secretBytes(32, perPage)[0]);
      const protects = host.trace().filter((entry) => entry.op === 'protect');
      expect(protects.map((entry) => entry.length)).toEqual([pageSize, pageSize]);
      expect(secrets.every((secret, i) => secret.equals(secretBytes(32, i)))).toBe(true);
      heap.destroy();
    });
  }

  it('fails to grow past the memlock limit with LOCK_FAILED and the numbers, leaving nothing mapped', () => {
    const arenaSize = 64 * 1024;
    const host = createSimulatedHost({ memlockLimit: 3 * arenaSize, seed: 3 });
    const heap = new SecureHeap({ host, arenaSize });
    const perArena = (arenaSize / 4096) * 85;
    for (let i = 0; i < 3 * perArena; i++) heap.alloc(32);
    const mappings = host.usage().mappings;
    const failure = errorOf(() => heap.alloc(32));
    expect(failure?.code).toBe('LOCK_FAILED');
    expect(failure?.syscall).toBe('mlock');
    expect(failure?.message).toMatch(/memlock limit is 196608 bytes/);
    expect(failure?.message).toMatch(/196608 bytes locked by this heap/);
    expect(host.usage().mappings).toBe(mappings);
    expect(heap.stats()).toMatchObject({ arenas: 3, lockedBytes: 3 * arenaSize, live: 3 * perArena });
    expect(host.usage().lockedBytes).toBe(3 * arenaSize);
    heap.destroy();
  });

  it('uses an unlocked arena only with lock bestEffort, and says so', () => {
    const arenaSize = 64 * 1024;
    const host = createSimulatedHost({ memlockLimit: arenaSize, seed: 4 });
    const heap = new SecureHeap({ host, arenaSize, lock: 'bestEffort' });
    const perArena = (arenaSize / 4096) * 85;
    const first = heap.alloc(32);
    for (let i = 1; i < perArena; i++) heap.alloc(32);
    const overflow = heap.alloc(32); // the second arena cannot be locked
    const stats = heap.stats();
    expect(stats).toMatchObject({ arenas: 2, lock: 'bestEffort', lockedBytes: arenaSize });
    expect(first.inspect().locked).toBe(true);
    expect(overflow.inspect().locked).toBe(false);
    expect(overflow.inspect().lockRequested).toBe(true);
    heap.destroy();
  });

  it('moves an empty page to another class, and its canaries check out there', () => {
    const host = createSimulatedHost({ seed: 9 });
    const heap = new SecureHeap({ host, arenaSize: 2 * 4096 });
    const small = Array.from({ length: 85 }, (_, i) => heap.from(secretBytes(32, i))); // page 0: class 32
    const large = Array.from({ length: 51 }, (_, i) => heap.from(secretBytes(64, i))); // page 1: class 64
    const pageZero = small[0].inspect().dataPages.address;
    for (const secret of small) secret.dispose();
    heap.flush();
    const moved = Array.from({ length: 51 }, (_, i) => heap.from(secretBytes(64, 100 + i))); // page 0, reformatted
    expect(heap.stats()).toMatchObject({ arenas: 1, live: 102, formattedPages: 2 });
    expect(moved[0].inspect().dataPages.address).toBe(pageZero);
    expect(large[0].inspect().dataPages.address).toBe(pageZero + 4096n);
    expect(moved.every((secret, i) => secret.equals(secretBytes(64, 100 + i)))).toBe(true);
    expect(large.every((secret, i) => secret.equals(secretBytes(64, i)))).toBe(true);
    for (const secret of [...moved, ...large]) secret.dispose();
    heap.flush();
    expect(heap.stats().canaryFailures).toBe(0);
    heap.destroy();
  });

  it('reuses released arena records after trim() and keeps every secret and canary intact', () => {
    const host = createSimulatedHost({ seed: 10 });
    const heap = new SecureHeap({ host, arenaSize: 4096 });
    for (let round = 0; round < 3; round++) {
      const secrets = Array.from({ length: 400 }, (_, i) => heap.from(secretBytes(32, i + round)));
      expect(heap.stats().arenas).toBe(5);
      expect(secrets.every((secret, i) => secret.equals(secretBytes(32, i + round)))).toBe(true);
      for (const secret of secrets) secret.dispose();
      heap.trim();
      expect(heap.stats()).toMatchObject({ arenas: 0, reservedBytes: 0, lockedBytes: 0, canaryFailures: 0 });
    }
    expect(host.usage()).toMatchObject({ mappings: 0, lockedBytes: 0 });
    heap.destroy();
  });

  it('wipes every arena byte before unmapping it on destroy()', () => {
    const host = createSimulatedHost({ seed: 5 });
    const heap = new SecureHeap({ host, arenaSize: 8192 });
    for (let i = 0; i < 300; i++) heap.from(secretBytes(32, i));
    heap.destroy();
    const records = host.unmapped();
    expect(records.length).toBe(2);
    for (const record of records) expect(record.nonZeroBytes).toBe(0);
  });
});

describe('failures', () => {
  it('retries a failed end-of-tick wipe on a later turn, with one warning, until it succeeds', async () => {
    const host = createSimulatedHost({ seed: 11 });
    const heap = new SecureHeap({ host });
    const secret = heap.alloc(32);
    host.injectFault({ op: 'protect', nth: 1, errno: 'ENOMEM' });
    host.injectFault({ op: 'protect', nth: 2, errno: 'ENOMEM' });
    const warnings: Error[] = [];
    const listener = (warning: Error) => warnings.push(warning);
    process.on('warning', listener);
    secret.dispose();
    await new Promise((resolve) => setImmediate(resolve));
    expect(heap.stats().pendingWipes).toBe(1); // not wiped yet: the pages could not be opened
    for (let wait = 0; wait < 50 && heap.stats().pendingWipes > 0; wait++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    process.off('warning', listener);
    expect(heap.stats().pendingWipes).toBe(0);
    expect(warnings.map((warning) => (warning as MemoryProtectionError).code)).toEqual(['PROTECTION_FAILED']);
    heap.destroy();
    expect(host.unmapped().every((record) => record.nonZeroBytes === 0)).toBe(true);
  });

  it('undoes a failed arena: nothing mapped or locked is left behind', () => {
    const host = createSimulatedHost({ seed: 12 });
    const heap = new SecureHeap({ host });
    host.injectFault({ op: 'advise', nth: 1, errno: 'EINVAL' });
    expect(errorOf(() => heap.alloc(32))?.code).toBe('ALLOCATION_FAILED');
    expect(host.usage()).toMatchObject({ mappings: 0, lockedBytes: 0 });
    expect(heap.stats()).toMatchObject({ arenas: 0, reservedBytes: 0, live: 0 });
    expect(heap.alloc(32).size).toBe(32); // and the next attempt works
    heap.destroy();
  });
});

describe('canary damage', () => {
  it('is found when a freed heap secret is wiped, after the wipe, with the gap repaired', () => {
    const host = createSimulatedHost({ seed: 6 });
    const heap = new SecureHeap({ host });
    const victim = heap.from(secretBytes(32, 1));
    const neighbour = heap.from(secretBytes(32, 2));
    const { address } = victim.inspect().data;
    const gapBefore = neighbour.use(() => host.raw.read(address + 32n, 16));
    // "Native code" overflows the victim by one byte while it is open for writing.
    victim.update(() => host.raw.write(address + 32n, new Uint8Array([gapBefore[0] ^ 0xff])));
    victim.dispose();
    const failure = errorOf(() => heap.flush());
    expect(failure?.code).toBe('CANARY_CORRUPTED');
    expect(failure?.message).toContain(`0x${(address + 32n).toString(16)}`);
    expect(heap.stats().canaryFailures).toBe(1);
    // The victim's bytes are wiped, the gap holds the canary again, the neighbour is intact.
    const after = neighbour.use(() => ({ victim: host.raw.read(address, 32), gap: host.raw.read(address + 32n, 16) }));
    expect(Array.from(after.victim)).toEqual(new Array(32).fill(0));
    expect(Array.from(after.gap)).toEqual(Array.from(gapBefore));
    expect(neighbour.equals(secretBytes(32, 2))).toBe(true);
    heap.flush(); // reported once
    heap.destroy();
  });

  it('found by the end-of-tick wipe is a process warning, then thrown by destroy()', async () => {
    const host = createSimulatedHost({ seed: 7 });
    const heap = new SecureHeap({ host });
    const victim = heap.alloc(32);
    const neighbour = heap.alloc(32);
    const { address } = victim.inspect().data;
    victim.update(() => host.raw.write(address - 1n, new Uint8Array([0x00, 0x00])));
    const warnings: Error[] = [];
    const listener = (warning: Error) => warnings.push(warning);
    process.on('warning', listener);
    victim.dispose();
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', listener);
    expect(warnings.map((warning) => (warning as MemoryProtectionError).code)).toEqual(['CANARY_CORRUPTED']);
    expect(neighbour.disposed).toBe(false);
    expect(errorOf(() => heap.destroy())?.code).toBe('CANARY_CORRUPTED');
    expect(heap.destroyed).toBe(true);
  });

  it('in the slack of a standalone SecureBuffer is reported by dispose(), after wiping and unmapping', () => {
    const host = createSimulatedHost({ seed: 8 });
    const key = SecureBuffer.from(secretBytes(20), { host });
    const { address } = key.inspect().data;
    key.update(() => host.raw.write(address + 20n, new Uint8Array([0x5a])));
    const failure = errorOf(() => key.dispose());
    expect(failure?.code).toBe('CANARY_CORRUPTED');
    expect(key.disposed).toBe(true);
    const [record] = host.unmapped();
    expect(record.nonZeroBytes).toBe(0);
  });
});
