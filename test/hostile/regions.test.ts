// Regions cannot be forged or borrowed: a Region is a handle only the PlatformMemory that made it
// accepts. Object.create(Region.prototype), new Region(...), a Proxy around a real region and a
// region of another PlatformMemory are INVALID_ARGUMENT everywhere — never a TypeError, never
// another memory's bytes. Control: each real region works with the memory that made it.
import { describe, expect, it } from 'vitest';
import {
  AllocationType,
  MemoryProtectionLevel,
  PlatformMemory as NativeMemory,
  Region,
  createPlatformMemory,
  type PlatformMemory,
} from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';
import { errorOf } from '../helpers/errors.js';

const { ReadWrite } = MemoryProtectionLevel;

/** Every PlatformMemory method that takes a region, called with `region`. */
function operations(memory: PlatformMemory, region: Region): [string, () => unknown][] {
  return [
    ['read', () => memory.read(region)],
    ['readInto', () => memory.readInto(region, new Uint8Array(1))],
    ['write', () => memory.write(region, new Uint8Array(1))],
    ['protect', () => memory.protect(region, ReadWrite)],
    ['lock', () => memory.lock(region)],
    ['unlock', () => memory.unlock(region)],
    ['secureClear', () => memory.secureClear(region)],
    ['inspect', () => memory.inspect(region)],
    ['free', () => memory.free(region)],
    ['freeGuardedMemory', () => memory.freeGuardedMemory(region)],
  ];
}

describe('forged and borrowed regions', () => {
  const mine = createPlatformMemory({ host: createSimulatedHost() });
  const theirs = createPlatformMemory({ host: createSimulatedHost() });

  it('control: a region works with the memory that made it', () => {
    const region = mine.allocate(16, 8, ReadWrite, AllocationType.Secure);
    mine.write(region, new Uint8Array(16).fill(3));
    expect(mine.read(region)[0]).toBe(3);
    expect(region.protection).toBe(ReadWrite);
    mine.free(region);
  });

  it('new Region(...) and the getters of Object.create(Region.prototype) are INVALID_ARGUMENT', () => {
    const construct = () =>
      new (Region as unknown as new (...args: unknown[]) => Region)(
        { owner: {}, slot: 0, generation: 0 },
        16,
        8,
        'Secure',
      );
    expect(errorOf(construct)?.code).toBe('INVALID_ARGUMENT');
    const forged = Object.create(Region.prototype) as Region;
    for (const read of [() => forged.protection, () => forged.locked, () => forged.freed])
      expect(errorOf(read)?.code).toBe('INVALID_ARGUMENT');
    for (const [name, call] of operations(mine, forged)) expect(errorOf(call)?.code, name).toBe('INVALID_ARGUMENT');
  });

  it(
    'a region of another PlatformMemory, or a Proxy around ' + 'a real one, is INVALID_ARGUMENT for every operation',
    () => {
      const region = theirs.allocate(16, 8, ReadWrite, AllocationType.Secure);
      theirs.write(region, new Uint8Array(16).fill(9));
      const proxied = new Proxy(mine.allocate(16, 8, ReadWrite, AllocationType.Regular), {});
      for (const [name, call] of [...operations(mine, region), ...operations(mine, proxied)]) {
        const error = errorOf(call);
        expect(error?.code, name).toBe('INVALID_ARGUMENT');
      }
      expect(theirs.read(region)[0]).toBe(9); // untouched, still its owner's
      theirs.free(region);
    },
  );
});

// read() makes its array before the core copies into it: a region larger than any array this runtime
// can make must still give a MemoryProtectionError (USE_AFTER_FREE once freed), never a RangeError.
describe('read() of a region larger than a typed array can be', () => {
  const HUGE = 2 ** 33; // 8 GiB of address space, NoAccess: nothing committed

  it(
    'live: ALLOCATION_FAILED pointing to readInto (ACCESS_DENIED where the runtime can make the array);' +
      ' freed: USE_AFTER_FREE',
    () => {
      let control: unknown;
      try {
        new Uint8Array(HUGE);
      } catch (error) {
        control = error;
      }
      const region = NativeMemory.allocate(HUGE, 8, MemoryProtectionLevel.NoAccess, AllocationType.Regular);
      try {
        const live = errorOf(() => NativeMemory.read(region));
        if (control instanceof RangeError)
          expect(live).toMatchObject({ code: 'ALLOCATION_FAILED', message: expect.stringMatching(/readInto/) });
        else expect(live).toMatchObject({ code: 'ACCESS_DENIED' });
      } finally {
        NativeMemory.free(region);
      }
      expect(errorOf(() => NativeMemory.read(region))).toMatchObject({ code: 'USE_AFTER_FREE' });
    },
  );
});
