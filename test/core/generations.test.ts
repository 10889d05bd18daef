// Handle generations never wrap: a record whose generation reaches the ceiling retires instead of
// going back to 1, so a handle kept from its first life can never name what is made there later.
// The real ceiling is 2^32 - 1 reuses of one record (31 minutes of alloc().dispose() here); a
// test-only core entry lowers it to 3 in one core instance. The control restores the old
// wrap-around in the same way and shows the stale handle reaching the new secret.
import { describe, expect, it } from 'vitest';
import { Protection } from '../../host/types.js';
import { AllocationType, Reason, Status } from '../../src/generated/core-numbers.js';
import { createSimulatedHost } from '../../src/testing.js';
import { secureCoreFor, type SecureCore } from '../../src/secure-core.js';

const CEILING = 3;
const SECRET = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

function coreWithCeiling(wrap: boolean): SecureCore {
  const core = secureCoreFor(createSimulatedHost({ pageSize: 4096, seed: 7 }));
  core.exports.testOnlySetGenerationCeiling(CEILING, wrap ? 1 : 0);
  return core;
}

/** Makes and frees a secret in one record until its generation reaches the ceiling; returns the first handle. */
function wearOut(core: SecureCore): { index: number; generation: number } {
  const x = core.exports;
  const first = { index: x.secretCreate(16, 0, 0), generation: x.secretCreatedGeneration() };
  expect(first.generation).toBe(1);
  for (let life = 1; life <= CEILING; life++) {
    const index = life === 1 ? first.index : x.secretCreate(16, 0, 0);
    expect([index, x.secretCreatedGeneration()]).toEqual([first.index, life]); // the same record, reused
    expect(x.secretFree(index, life)).toBe(Status.OK);
  }
  return first;
}

/** A new secret holding SECRET; returns what a read through `handle` gives (status and bytes). */
function readThrough(core: SecureCore, handle: { index: number; generation: number }) {
  const x = core.exports;
  const fresh = x.secretCreate(16, 0, 0);
  const freshGeneration = x.secretCreatedGeneration();
  expect(x.secretOpenScope(fresh, freshGeneration, Protection.ReadWrite)).toBe(Status.OK);
  expect(core.withStaged(SECRET.slice(), () => x.secretWrite(fresh, freshGeneration, 0, 16))).toBe(Status.OK);
  const target = new Uint8Array(16);
  const status = core.withStaged(target, () => x.secretRead(handle.index, handle.generation, 0, 16));
  x.secretCloseScope(fresh, freshGeneration);
  return { fresh, status, bytes: target };
}

describe('handle generations at the ceiling', () => {
  it('retire the record: a handle from its first life stays USE_AFTER_FREE and never reaches the next secret', () => {
    const core = coreWithCeiling(false);
    const stale = wearOut(core);
    const { fresh, status, bytes } = readThrough(core, stale);
    expect(fresh).not.toBe(stale.index); // the worn-out record was not used again
    expect(status).toBe(Status.USE_AFTER_FREE);
    expect(bytes).toEqual(new Uint8Array(16));
    for (let generation = 1; generation <= CEILING; generation++) {
      expect(core.exports.secretCheck(stale.index, generation)).toBe(Status.USE_AFTER_FREE);
      expect(core.exports.secretFree(stale.index, generation)).toBe(Status.DOUBLE_FREE);
    }
  });

  it('control: with the old wrap-around, the same stale handle reads the next secret made in its record', () => {
    const core = coreWithCeiling(true);
    const stale = wearOut(core);
    const { fresh, status, bytes } = readThrough(core, stale);
    expect(fresh).toBe(stale.index);
    expect(status).toBe(Status.OK);
    expect(bytes).toEqual(SECRET);
  });

  it(
    'retire region and heap records too (regions: a stale ' + 'handle is USE_AFTER_FREE, the next region elsewhere)',
    () => {
      const { exports: x } = coreWithCeiling(false);
      const allocate = () => x.allocate(64, 8, Protection.ReadWrite, AllocationType.Regular, 0, 0, 0);
      const first = allocate();
      expect(x.free(first, 1)).toBe(Status.OK);
      for (let generation = 2; generation <= CEILING; generation++) {
        expect([allocate(), x.allocatedGeneration()]).toEqual([first, generation]);
        expect(x.free(first, generation)).toBe(Status.OK);
      }
      expect(allocate()).not.toBe(first);
      expect(x.check(first, 1)).toBe(Status.USE_AFTER_FREE);

      const heap = x.heapCreate(4096, 0, 0);
      expect(x.heapDestroy(heap, 1)).toBe(Status.OK);
      for (let generation = 2; generation <= CEILING; generation++) {
        expect([x.heapCreate(4096, 0, 0), x.heapCreatedGeneration()]).toEqual([heap, generation]);
        expect(x.heapDestroy(heap, generation)).toBe(Status.OK);
      }
      expect(x.heapCreate(4096, 0, 0)).not.toBe(heap);
      expect(x.heapCheck(heap, 1)).toBe(Status.USE_AFTER_FREE);
    },
  );
});

describe('read-only core entries', () => {
  it('check, secretCheck and heapCheck leave the failure record of the last call as it was', () => {
    const { exports: x } = coreWithCeiling(false);
    const region = x.allocate(64, 8, Protection.ReadWrite, AllocationType.Regular, 0, 0, 0);
    const secret = x.secretCreate(16, 0, 0);
    const heap = x.heapCreate(4096, 0, 0);
    expect(x.allocate(0, 8, Protection.ReadWrite, AllocationType.Regular, 0, 0, 0)).toBe(-Status.INVALID_ARGUMENT);
    const reads = [
      () => x.check(region, 1),
      () => x.check(region, 9),
      () => x.secretCheck(secret, 1),
      () => x.secretCheck(99, 1),
      () => x.heapCheck(heap, 1),
      () => x.heapCheck(heap, 9),
    ];
    expect(reads.map((read) => read())).toEqual([
      Status.OK,
      Status.INVALID_ARGUMENT,
      Status.OK,
      Status.INVALID_ARGUMENT,
      Status.OK,
      Status.INVALID_ARGUMENT,
    ]);
    expect(x.failureReason()).toBe(Reason.SIZE_NOT_POSITIVE_INTEGER);
    // Control: an entry that acts does start a new record.
    expect(x.lock(region, 1)).toBe(Status.OK);
    expect(x.failureReason()).toBe(0);
  });
});
