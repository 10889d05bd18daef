// Every bad input gets a MemoryProtectionError with a precise code and a message that says what
// to do, before any OS call: the memory here runs on the real Linux host, wrapped only to count
// the host operations (each is one system call) — a bad input must make none.
import { afterAll, describe, expect, it } from 'vitest';
import {
  AllocationType,
  MemoryProtectionError,
  MemoryProtectionLevel,
  PlatformMemory,
  Region,
  createPlatformMemory,
  type PlatformMemory as Memory,
} from '../../src/index.js';
import { nativeHost } from '../../src/default-memory.js';
import type { Host } from '../../src/testing.js';
import { PERMS, entryAt, readSmaps } from '../helpers/kernel.js';

const { ReadWrite, ReadOnly, NoAccess, Execute, ReadExecute } = MemoryProtectionLevel;
const { Regular, Secure, LargePage } = AllocationType;

// The host operations that reach the kernel (queries such as pageSize or kernelView are not counted).
const OS_OPERATIONS = new Set([
  'map',
  'unmap',
  'protect',
  'lock',
  'unlock',
  'advise',
  'fill',
  'copyIn',
  'copyOut',
  'view',
]);
const hostCalls: string[] = [];
const countingHost = new Proxy(nativeHost(), {
  get(target, key, receiver) {
    const value = Reflect.get(target, key, receiver);
    if (typeof value !== 'function' || !OS_OPERATIONS.has(String(key))) return value;
    return (...args: unknown[]) => {
      hostCalls.push(String(key));
      return value.apply(target, args);
    };
  },
}) as Host;
const mem: Memory = createPlatformMemory({ host: countingHost });

// Live regions the cases use; all freed at the end.
const regular = mem.allocate(32, 8, ReadWrite, Regular);
const secure = mem.allocate(32, 8, ReadWrite, Secure);
const readOnly = mem.allocate(32, 8, ReadOnly, Secure);
const noAccess = mem.allocate(32, 8, NoAccess, Secure);
const executeOnly = mem.allocate(32, 8, Execute, Regular);
const readExecute = mem.allocate(32, 8, ReadExecute, Regular);
const foreign = PlatformMemory.allocate(32, 8, ReadWrite, Regular); // another PlatformMemory's
const freed = mem.allocate(32, 8, ReadWrite, Secure);
mem.free(freed);
const freedGuarded = mem.allocateWithGuardPages(32, 1, 1, 8);
mem.freeGuardedMemory(freedGuarded);
const forged = Object.create(Region.prototype) as Region;
afterAll(() => {
  for (const region of [regular, secure, readOnly, noAccess, executeOnly, readExecute]) mem.free(region);
  PlatformMemory.free(foreign);
});

type Case = [description: string, call: () => unknown, code: string, message: RegExp];

/** Runs a case: the right error, a helpful message, and no OS call at all. */
function expectRefused(call: () => unknown, code: string, message: RegExp) {
  const callsBefore = hostCalls.length;
  let caught: unknown;
  try {
    call();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(MemoryProtectionError);
  expect(caught).toBeInstanceOf(Error);
  const error = caught as MemoryProtectionError;
  expect(error.name).toBe('MemoryProtectionError');
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  expect(hostCalls.slice(callsBefore)).toEqual([]);
}

const SIZE = /size must be a positive integer number of bytes/;
const ALIGN = /align must be a power of two/;
const LEVEL = new RegExp(
  'protection must be a MemoryProtectionLevel ' +
    '\\(NoAccess, ReadOnly, ReadWrite, Execute, ReadExecute, ReadWriteExecute\\)',
);
const TYPE = /type must be an AllocationType \(Regular, Secure, LargePage\)/;
const NOT_A_REGION = /expected a Region returned by allocate\(\)/;
const FOREIGN = /belongs to another PlatformMemory; use the one that allocated it/;

describe('bad sizes, alignments, levels and types are INVALID_ARGUMENT before any OS call', () => {
  const cases: Case[] = [
    ['size 0', () => mem.allocate(0, 8, ReadWrite, Secure), 'INVALID_ARGUMENT', SIZE],
    ['a negative size', () => mem.allocate(-4096, 8, ReadWrite, Regular), 'INVALID_ARGUMENT', SIZE],
    ['a fractional size', () => mem.allocate(32.5, 8, ReadWrite, Secure), 'INVALID_ARGUMENT', SIZE],
    ['size NaN', () => mem.allocate(Number.NaN, 8, ReadWrite, Regular), 'INVALID_ARGUMENT', SIZE],
    ['size Infinity', () => mem.allocate(Number.POSITIVE_INFINITY, 8, ReadWrite, Regular), 'INVALID_ARGUMENT', SIZE],
    [
      'a size given as a string',
      () => mem.allocate('4096' as never, 8, ReadWrite, Regular),
      'INVALID_ARGUMENT',
      /size must be .*got a string of 4 characters/,
    ],
    [
      'a size given as a bigint',
      () => mem.allocate(4096n as never, 8, ReadWrite, Regular),
      'INVALID_ARGUMENT',
      /size must be .*got a bigint/,
    ],
    [
      'an undefined size',
      () => mem.allocate(undefined as never, 8, ReadWrite, Regular),
      'INVALID_ARGUMENT',
      /size must be .*got undefined/,
    ],
    [
      'a size beyond 2^47',
      () => mem.allocate(2 ** 47 + 4096, 8, ReadWrite, Regular),
      'INVALID_ARGUMENT',
      /beyond what the OS can map \(at most 2\^47/,
    ],
    [
      'a size whose guarded mapping would pass 2^47',
      () => mem.allocate(2 ** 47, 8, ReadWrite, Secure),
      'INVALID_ARGUMENT',
      /beyond what the OS can map.*ask for less/,
    ],
    [
      'a guarded size beyond 2^47',
      () => mem.allocateWithGuardPages(2 ** 48, 1, 1, 8),
      'INVALID_ARGUMENT',
      /beyond what the OS can map/,
    ],
    ['align 3 (not a power of two)', () => mem.allocate(32, 3, ReadWrite, Secure), 'INVALID_ARGUMENT', ALIGN],
    ['align 24 (not a power of two)', () => mem.allocate(32, 24, ReadWrite, Regular), 'INVALID_ARGUMENT', ALIGN],
    ['align 0', () => mem.allocate(32, 0, ReadWrite, Regular), 'INVALID_ARGUMENT', ALIGN],
    ['a negative align', () => mem.allocate(32, -8, ReadWrite, Regular), 'INVALID_ARGUMENT', ALIGN],
    ['a fractional align', () => mem.allocate(32, 0.5, ReadWrite, Regular), 'INVALID_ARGUMENT', ALIGN],
    ['align NaN', () => mem.allocate(32, Number.NaN, ReadWrite, Regular), 'INVALID_ARGUMENT', ALIGN],
    ['an align given as a string', () => mem.allocate(32, '8' as never, ReadWrite, Regular), 'INVALID_ARGUMENT', ALIGN],
    [
      'an align above 1 GiB',
      () => mem.allocate(32, 2 ** 31, ReadWrite, Regular),
      'INVALID_ARGUMENT',
      /align 2147483648 is too large: at most 1073741824/,
    ],
    [
      'a guarded align that is not a power of two',
      () => mem.allocateWithGuardPages(32, 1, 1, 12),
      'INVALID_ARGUMENT',
      ALIGN,
    ],
    [
      'the level "readwrite" (wrong case)',
      () => mem.allocate(32, 8, 'readwrite' as never, Regular),
      'INVALID_ARGUMENT',
      LEVEL,
    ],
    ['the level "Write"', () => mem.allocate(32, 8, 'Write' as never, Regular), 'INVALID_ARGUMENT', LEVEL],
    ['a level given as a number', () => mem.allocate(32, 8, 2 as never, Regular), 'INVALID_ARGUMENT', LEVEL],
    ['an undefined level', () => mem.allocate(32, 8, undefined as never, Regular), 'INVALID_ARGUMENT', LEVEL],
    ['a null level', () => mem.allocate(32, 8, null as never, Regular), 'INVALID_ARGUMENT', LEVEL],
    [
      'the type "secure" (wrong case)',
      () => mem.allocate(32, 8, ReadWrite, 'secure' as never),
      'INVALID_ARGUMENT',
      TYPE,
    ],
    ['the type "Huge"', () => mem.allocate(32, 8, ReadWrite, 'Huge' as never), 'INVALID_ARGUMENT', TYPE],
    ['a type given as a number', () => mem.allocate(32, 8, ReadWrite, 1 as never), 'INVALID_ARGUMENT', TYPE],
    ['an undefined type', () => mem.allocate(32, 8, ReadWrite, undefined as never), 'INVALID_ARGUMENT', TYPE],
    [
      'an unknown lock policy',
      () => mem.allocate(32, 8, ReadWrite, Secure, { lock: 'maybe' as never }),
      'INVALID_ARGUMENT',
      /lock must be 'required' \(the default\) or 'bestEffort'/,
    ],
    [
      'an unknown option',
      () => mem.allocate(32, 8, ReadWrite, Secure, { locked: true } as never),
      'INVALID_ARGUMENT',
      /unknown key \(a string of 6 characters, close to 'lock'\); known options: lock, secretMemory/,
    ],
    [
      'options that are not an object',
      () => mem.allocate(32, 8, ReadWrite, Secure, 'bestEffort' as never),
      'INVALID_ARGUMENT',
      /options must be an object such as \{ lock: … \} .* or undefined, got a string of 10 characters/,
    ],
    [
      'no guard page at all (0 before, 0 after)',
      () => mem.allocateWithGuardPages(32, 0, 0, 8),
      'INVALID_ARGUMENT',
      /ask for at least one guard page, or use allocate\(\)/,
    ],
    [
      'a negative guard count',
      () => mem.allocateWithGuardPages(32, -1, 1, 8),
      'INVALID_ARGUMENT',
      /guardPagesBefore must be an integer from 0 to 1024, got -1/,
    ],
    [
      'a fractional guard count',
      () => mem.allocateWithGuardPages(32, 1, 1.5, 8),
      'INVALID_ARGUMENT',
      /guardPagesAfter must be an integer from 0 to 1024, got 1.5/,
    ],
    [
      'too many guard pages',
      () => mem.allocateWithGuardPages(32, 1025, 1, 8),
      'INVALID_ARGUMENT',
      /guardPagesBefore must be an integer from 0 to 1024/,
    ],
    [
      'an unknown guarded level',
      () => mem.allocateWithGuardPages(32, 1, 1, 8, { protection: 'rw' as never }),
      'INVALID_ARGUMENT',
      /options.protection must be a MemoryProtectionLevel/,
    ],
    [
      'an unknown guarded type',
      () => mem.allocateWithGuardPages(32, 1, 1, 8, { type: 'Guarded' as never }),
      'INVALID_ARGUMENT',
      TYPE,
    ],
    ['protect to an unknown level', () => mem.protect(secure, 'RW' as never), 'INVALID_ARGUMENT', LEVEL],
    ['protect to an undefined level', () => mem.protect(secure, undefined as never), 'INVALID_ARGUMENT', LEVEL],
    ['protect to a level given as a number', () => mem.protect(secure, 0 as never), 'INVALID_ARGUMENT', LEVEL],
  ];
  it.each(cases)('%s', (_, call, code, message) => expectRefused(call, code, message));
});

describe("things that are not one of this memory's live regions", () => {
  const methods: Array<[name: string, call: (region: unknown) => unknown]> = [
    ['free', (region) => mem.free(region as Region)],
    ['freeGuardedMemory', (region) => mem.freeGuardedMemory(region as Region)],
    ['protect', (region) => mem.protect(region as Region, ReadOnly)],
    ['lock', (region) => mem.lock(region as Region)],
    ['unlock', (region) => mem.unlock(region as Region)],
    ['secureClear', (region) => mem.secureClear(region as Region)],
    ['write', (region) => mem.write(region as Region, new Uint8Array(1))],
    ['read', (region) => mem.read(region as Region)],
    ['readInto', (region) => mem.readInto(region as Region, new Uint8Array(1))],
    ['inspect', (region) => mem.inspect(region as Region)],
  ];
  const notRegions: Array<[string, unknown, RegExp]> = [
    ['a plain object', { size: 32 }, NOT_A_REGION],
    ['null', null, /expected a Region returned by allocate\(\), got null/],
    ['undefined', undefined, NOT_A_REGION],
    ['a number', 42, NOT_A_REGION],
    ['an object made from Region.prototype', forged, NOT_A_REGION],
    ['a region of another createPlatformMemory instance', foreign, FOREIGN],
  ];
  const cases: Case[] = methods.flatMap(([name, call]) =>
    notRegions.map(
      ([what, value, message]): Case => [`${name}(${what})`, () => call(value), 'INVALID_ARGUMENT', message],
    ),
  );
  it.each(cases)('%s is INVALID_ARGUMENT', (_, call, code, message) => expectRefused(call, code, message));

  it('the foreign region is untouched and still works in its own memory', () => {
    PlatformMemory.write(foreign, new Uint8Array([9]), 31);
    expect(PlatformMemory.read(foreign, 31)).toEqual(new Uint8Array([9]));
  });
});

describe('bad data, offsets and lengths', () => {
  const cases: Case[] = [
    [
      'write an array of numbers',
      () => mem.write(secure, [1, 2, 3] as never),
      'INVALID_ARGUMENT',
      /data must be a Uint8Array \(a Buffer, or a subclass of Uint8Array\), got an array/,
    ],
    [
      'write a string',
      () => mem.write(secure, 'secret' as never),
      'INVALID_ARGUMENT',
      /data must be a Uint8Array .*got a string of 6 characters/,
    ],
    [
      'write a Uint16Array',
      () => mem.write(secure, new Uint16Array(2) as never),
      'INVALID_ARGUMENT',
      /data must be a Uint8Array .*Uint16Array/,
    ],
    [
      'write an ArrayBuffer',
      () => mem.write(secure, new ArrayBuffer(2) as never),
      'INVALID_ARGUMENT',
      /data must be a Uint8Array .*ArrayBuffer/,
    ],
    [
      'write a DataView',
      () => mem.write(secure, new DataView(new ArrayBuffer(2)) as never),
      'INVALID_ARGUMENT',
      /data must be a Uint8Array/,
    ],
    ['write null', () => mem.write(secure, null as never), 'INVALID_ARGUMENT', /data must be a Uint8Array .*got null/],
    [
      'write 2 bytes at the last byte',
      () => mem.write(secure, new Uint8Array(2), 31),
      'OUT_OF_BOUNDS',
      /cannot write 2 bytes at offset 31: the region holds 32 bytes, so at most 1 fit there/,
    ],
    ['write 33 bytes into 32', () => mem.write(secure, new Uint8Array(33)), 'OUT_OF_BOUNDS', /at most 32 fit there/],
    [
      'write at an offset past the end',
      () => mem.write(secure, new Uint8Array(0), 33),
      'OUT_OF_BOUNDS',
      /offset 33 is outside the region: it must be from 0 to 32/,
    ],
    [
      'write at a negative offset',
      () => mem.write(secure, new Uint8Array(1), -1),
      'OUT_OF_BOUNDS',
      /offset -1 is outside the region/,
    ],
    [
      'write at a fractional offset',
      () => mem.write(secure, new Uint8Array(1), 0.5),
      'INVALID_ARGUMENT',
      /offset must be an integer, got 0.5/,
    ],
    [
      'write at offset NaN',
      () => mem.write(secure, new Uint8Array(1), Number.NaN),
      'INVALID_ARGUMENT',
      /offset must be an integer, got NaN/,
    ],
    [
      'write at an offset given as a string',
      () => mem.write(secure, new Uint8Array(1), '1' as never),
      'INVALID_ARGUMENT',
      /offset must be an integer, got a string of 1 character/,
    ],
    [
      'read at an offset past the end',
      () => mem.read(secure, 33),
      'OUT_OF_BOUNDS',
      /offset 33 is outside the region: it must be from 0 to 32/,
    ],
    ['read at a negative offset', () => mem.read(secure, -1), 'OUT_OF_BOUNDS', /offset -1 is outside the region/],
    [
      'read at a fractional offset',
      () => mem.read(secure, 1.5),
      'INVALID_ARGUMENT',
      /offset must be an integer, got 1.5/,
    ],
    [
      'read more than the region holds',
      () => mem.read(secure, 0, 33),
      'OUT_OF_BOUNDS',
      /length 33 is outside the region: it must be from 0 to 32/,
    ],
    [
      'read past the end from an offset',
      () => mem.read(secure, 10, 23),
      'OUT_OF_BOUNDS',
      /length 23 is outside the region: it must be from 0 to 22/,
    ],
    ['read a negative length', () => mem.read(secure, 0, -1), 'OUT_OF_BOUNDS', /length -1 is outside the region/],
    [
      'read a fractional length',
      () => mem.read(secure, 0, 0.5),
      'INVALID_ARGUMENT',
      /length must be an integer, got 0.5/,
    ],
    [
      'read a length given as a bigint',
      () => mem.read(secure, 0, 4n as never),
      'INVALID_ARGUMENT',
      /length must be an integer, got a bigint/,
    ],
    [
      'readInto an array of numbers',
      () => mem.readInto(secure, [0, 0] as never),
      'INVALID_ARGUMENT',
      /target must be a Uint8Array \(a Buffer, or a subclass of Uint8Array\)/,
    ],
    [
      'readInto a target longer than the region',
      () => mem.readInto(secure, new Uint8Array(33)),
      'OUT_OF_BOUNDS',
      /at most 32 are there; pass a shorter target/,
    ],
    [
      'readInto at a negative offset',
      () => mem.readInto(secure, new Uint8Array(1), -1),
      'OUT_OF_BOUNDS',
      /offset -1 is outside the region/,
    ],
    [
      'readInto at a fractional offset',
      () => mem.readInto(secure, new Uint8Array(1), 0.5),
      'INVALID_ARGUMENT',
      /offset must be an integer, got 0.5/,
    ],
  ];
  it.each(cases)('%s', (_, call, code, message) => expectRefused(call, code, message));
});

describe('access the protection forbids is ACCESS_DENIED, never a crash', () => {
  const WHAT_TO_DO = /Change it first with protect\(\) \(ReadWrite to write, ReadOnly or ReadWrite to read\)/;
  const cases: Case[] = [
    ['write a ReadOnly region', () => mem.write(readOnly, new Uint8Array([1])), 'ACCESS_DENIED', WHAT_TO_DO],
    ['write a NoAccess region', () => mem.write(noAccess, new Uint8Array([1])), 'ACCESS_DENIED', WHAT_TO_DO],
    ['read a NoAccess region', () => mem.read(noAccess), 'ACCESS_DENIED', WHAT_TO_DO],
    ['readInto from a NoAccess region', () => mem.readInto(noAccess, new Uint8Array(1)), 'ACCESS_DENIED', WHAT_TO_DO],
    ['read an Execute region', () => mem.read(executeOnly, 0, 1), 'ACCESS_DENIED', WHAT_TO_DO],
    ['write an Execute region', () => mem.write(executeOnly, new Uint8Array([1])), 'ACCESS_DENIED', WHAT_TO_DO],
    ['write a ReadExecute region', () => mem.write(readExecute, new Uint8Array([1])), 'ACCESS_DENIED', WHAT_TO_DO],
  ];
  it.each(cases)('%s', (_, call, code, message) => expectRefused(call, code, message));

  it('after the refusals the regions keep their kernel protection, and the process carries on', () => {
    const smaps = readSmaps();
    expect(entryAt(smaps, mem.inspect(noAccess).data.address)!.perms).toBe(PERMS.NoAccess);
    expect(entryAt(smaps, mem.inspect(readOnly).data.address)!.perms).toBe(PERMS.ReadOnly);
    expect(entryAt(smaps, mem.inspect(executeOnly).data.address)!.perms).toBe(PERMS.Execute);
    expect(mem.read(readOnly)).toEqual(new Uint8Array(32));
  });
});

describe('use after free and double free', () => {
  const USED = /the region was already freed\. Keep using a region only until free\(\)/;
  const cases: Case[] = [
    ['protect', () => mem.protect(freed, ReadOnly), 'USE_AFTER_FREE', USED],
    [
      'protect to a bad level (the freed region is reported, not the level)',
      () => mem.protect(freed, 'bad' as never),
      'INVALID_ARGUMENT',
      LEVEL,
    ],
    [
      'lock',
      () => mem.lock(freed),
      'USE_AFTER_FREE',
      /cannot lock the region: the region was already freed\. Keep using/,
    ],
    ['unlock', () => mem.unlock(freed), 'USE_AFTER_FREE', USED],
    ['secureClear', () => mem.secureClear(freed), 'USE_AFTER_FREE', USED],
    ['write', () => mem.write(freed, new Uint8Array([1])), 'USE_AFTER_FREE', USED],
    ['read', () => mem.read(freed), 'USE_AFTER_FREE', USED],
    ['readInto', () => mem.readInto(freed, new Uint8Array(1)), 'USE_AFTER_FREE', USED],
    ['inspect', () => mem.inspect(freed), 'USE_AFTER_FREE', USED],
    [
      'region.protection',
      () => freed.protection,
      'USE_AFTER_FREE',
      /cannot read the protection of the region: the region was already freed\. Keep using/,
    ],
    [
      'region.locked',
      () => freed.locked,
      'USE_AFTER_FREE',
      /cannot read the lock state of the region: the region was already freed\. Keep using/,
    ],
    [
      'free again (double free)',
      () => mem.free(freed),
      'DOUBLE_FREE',
      /the region was already freed\. Free each region once/,
    ],
    [
      'freeGuardedMemory of a freed Secure region (double free)',
      () => mem.freeGuardedMemory(freed),
      'DOUBLE_FREE',
      /Free each region once/,
    ],
    [
      'freeGuardedMemory again (double free)',
      () => mem.freeGuardedMemory(freedGuarded),
      'DOUBLE_FREE',
      /Free each region once/,
    ],
    [
      'free after freeGuardedMemory (double free)',
      () => mem.free(freedGuarded),
      'DOUBLE_FREE',
      /Free each region once/,
    ],
  ];
  it.each(cases)('%s', (_, call, code, message) => expectRefused(call, code, message));

  it('a freed region says so, and its slot reused by a new allocation does not revive it', () => {
    expect(freed.freed).toBe(true);
    const fresh = mem.allocate(32, 8, ReadWrite, Secure);
    expectRefused(() => mem.read(freed), 'USE_AFTER_FREE', USED);
    expect(fresh.freed).toBe(false);
    mem.free(fresh);
  });
});

describe('freeGuardedMemory of a region without guard pages', () => {
  it('is INVALID_ARGUMENT, says to use free(), and leaves the region live and mapped', () => {
    expectRefused(
      () => mem.freeGuardedMemory(regular),
      'INVALID_ARGUMENT',
      /this region has no guard pages; free it with free\(\)/,
    );
    expect(regular.freed).toBe(false);
    const { data } = mem.inspect(regular);
    expect(entryAt(readSmaps(), data.address)!.perms).toBe(PERMS.ReadWrite);
    mem.write(regular, new Uint8Array([5]));
    expect(mem.read(regular, 0, 1)).toEqual(new Uint8Array([5]));
  });
});

describe('control', () => {
  it("the host-call counter does see a valid allocation's system calls", () => {
    const before = hostCalls.length;
    const region = mem.allocate(32, 8, ReadWrite, Secure);
    mem.free(region);
    expect(hostCalls.slice(before)).toEqual(
      expect.arrayContaining(['map', 'protect', 'advise', 'lock', 'fill', 'unmap']),
    );
  });

  it('createPlatformMemory without a host is INVALID_ARGUMENT', () => {
    expect(() => createPlatformMemory({} as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/needs \{ host \}/) }),
    );
    expect(() => createPlatformMemory(undefined as never)).toThrow(MemoryProtectionError);
  });

  it('a LargePage allocation with a valid size still works after all the refusals', () => {
    const region = mem.allocate(4096, 8, ReadWrite, LargePage);
    mem.write(region, new Uint8Array([1, 2]), 4094);
    expect(mem.read(region, 4094)).toEqual(new Uint8Array([1, 2]));
    mem.free(region);
  });
});
