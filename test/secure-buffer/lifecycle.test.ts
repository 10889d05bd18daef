// A SecureBuffer's life on the real kernel: creation (source wiped or kept), equality, inspect,
// dispose (wiped, unmapped, twice harmless), and what every method says afterwards.
import { describe, expect, it } from 'vitest';
import { SecureBuffer } from '../../src/index.js';
import { readSmaps, entryAt, vmLockedBytes } from '../helpers/kernel.js';
import { kernelEntries, peek, secretBytes, sharingOf } from './peek.js';
import { codeOf } from '../helpers/errors.js';

describe('SecureBuffer.from and SecureBuffer.alloc', () => {
  it('copies the source in and zeroes it, unless wipeSource is false', () => {
    const source = secretBytes(24);
    const wiped = SecureBuffer.from(source);
    expect(Array.from(source)).toEqual(new Array(24).fill(0));
    expect(wiped.use((view) => Array.from(view))).toEqual(Array.from(secretBytes(24)));
    const kept = secretBytes(24);
    const copy = SecureBuffer.from(kept, { wipeSource: false });
    expect(Array.from(kept)).toEqual(Array.from(secretBytes(24)));
    expect(copy.equals(kept)).toBe(true);
    wiped.dispose();
    copy.dispose();
  });

  it('allocates zero-filled secrets', () => {
    const key = SecureBuffer.alloc(100);
    expect(key.size).toBe(100);
    expect(key.use((view) => view.every((byte) => byte === 0))).toBe(true);
    key.dispose();
  });

  it('puts each secret in a locked, dump- and fork-excluded region between guard pages', () => {
    const key = SecureBuffer.from(secretBytes(32));
    const info = key.inspect();
    expect(info.placement).toBe('region');
    expect(info.type).toBe('Secure');
    expect(info.locked).toBe(true);
    expect(info.protection).toBe('NoAccess');
    expect(info.data.address % 16n).toBe(0n);
    // The data ends against the trailing guard page.
    expect(info.data.address + 32n).toBe(info.dataPages.address + BigInt(info.dataPages.length));
    const pages = kernelEntries(info.dataPages.address, info.dataPages.length);
    expect(pages.map((entry) => entry.perms)).toEqual([`---${sharingOf(info.backing)}`]);
    for (const flag of ['lo', 'dd', 'dc']) expect(pages[0].flags.has(flag)).toBe(true);
    expect(info.guards.map((guard) => guard.position)).toEqual(['before', 'after']);
    for (const guard of info.guards)
      expect(kernelEntries(guard.address, guard.length).every((entry) => entry.perms === '---p')).toBe(true);
    key.dispose();
  });

  it('refuses bad input with INVALID_ARGUMENT and a message that names the argument', () => {
    expect(codeOf(() => SecureBuffer.from(new Uint8Array(0)))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => SecureBuffer.from('secret' as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => SecureBuffer.alloc(0))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => SecureBuffer.alloc(1.5))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => SecureBuffer.alloc(16, { lock: 'maybe' as never }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => SecureBuffer.from(new Uint8Array(4), { wipeSource: 'no' as never }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => SecureBuffer.alloc(16, { colour: 'red' } as never))).toBe('INVALID_ARGUMENT');
    expect(() => SecureBuffer.alloc(-1)).toThrow(/size must be a positive integer/);
    const key = SecureBuffer.alloc(8);
    expect(codeOf(() => key.use('not a function' as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => key.equals(42 as never))).toBe('INVALID_ARGUMENT');
    key.dispose();
  });

  it('has no public constructor', () => {
    expect(() => new (SecureBuffer as unknown as new () => SecureBuffer)()).toThrow(TypeError);
  });

  it('never shows the secret in strings or JSON', () => {
    const key = SecureBuffer.from(new Uint8Array([0x41, 0x42, 0x43]));
    expect(String(key)).toBe('SecureBuffer(3 bytes)');
    expect(JSON.stringify({ key })).toBe('{"key":{"type":"SecureBuffer","size":3}}');
    key.dispose();
  });
});

describe('SecureBuffer.equals', () => {
  it('compares with bytes and with other secrets, false for a different length', () => {
    const a = SecureBuffer.from(secretBytes(32), { wipeSource: false });
    const b = SecureBuffer.from(secretBytes(32));
    const c = SecureBuffer.from(secretBytes(32, 9));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(a)).toBe(true);
    expect(a.equals(c)).toBe(false);
    expect(a.equals(secretBytes(32))).toBe(true);
    const almost = secretBytes(32);
    almost[31] ^= 1;
    expect(a.equals(almost)).toBe(false);
    expect(a.equals(secretBytes(31))).toBe(false);
    c.dispose();
    expect(codeOf(() => a.equals(c))).toBe('USE_AFTER_FREE');
    a.dispose();
    b.dispose();
  });
});

describe('SecureBuffer.dispose', () => {
  it('wipes the data, gives its pages back (its range quarantined, inaccessible) and unlocks it', () => {
    // Ordinary pages (secretMemory 'off'): /proc/self/mem, the reader here, cannot read secret memory.
    const key = SecureBuffer.from(secretBytes(32), { secretMemory: 'off' });
    const info = key.inspect();
    expect(Array.from(peek(info.data.address, 32))).toEqual(Array.from(secretBytes(32))); // control: peek sees it
    const lockedBefore = vmLockedBytes();
    key.dispose();
    const after = entryAt(readSmaps(), info.data.address); // quarantined: ---p, locking nothing (gone past the cap)
    if (after) expect({ perms: after.perms, locked: after.flags.has('lo') }).toEqual({ perms: '---p', locked: false });
    expect(vmLockedBytes()).toBe(lockedBefore - info.dataPages.length);
  });

  it('is harmless twice, works as Symbol.dispose, and makes every other method throw USE_AFTER_FREE', () => {
    const key = SecureBuffer.alloc(16);
    const disposeKey = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('nodejs.dispose');
    (key as unknown as Record<symbol, () => void>)[disposeKey]();
    expect(key.disposed).toBe(true);
    key.dispose();
    expect(codeOf(() => key.use(() => 1))).toBe('USE_AFTER_FREE');
    expect(codeOf(() => key.update(() => 1))).toBe('USE_AFTER_FREE');
    expect(codeOf(() => key.equals(new Uint8Array(16)))).toBe('USE_AFTER_FREE');
    expect(codeOf(() => key.inspect())).toBe('USE_AFTER_FREE');
    expect(key.size).toBe(16);
    expect(String(key)).toBe('SecureBuffer(16 bytes, disposed)');
  });

  it('still locks with lock bestEffort when the limit allows it', () => {
    const key = SecureBuffer.alloc(16, { lock: 'bestEffort' });
    expect(key.inspect().locked).toBe(true);
    expect(key.inspect().lockRequested).toBe(true);
    key.dispose();
  });
});
