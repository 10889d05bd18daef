// wipe(bytes) on every kind of byte array, whatever length it claims; util.inspect of a
// SecureBuffer (size and state, never bytes); LOCK_FAILED messages that count memshield's own
// live secrets and locked bytes.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SecureBuffer, SecureHeap, wipe } from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';
import { errorOf } from '../helpers/errors.js';

const pattern = (length: number) => Uint8Array.from({ length }, (_, i) => ((i * 37 + 11) & 0xff) | 1);

describe('wipe(bytes)', () => {
  it('zeroes a Uint8Array, a Buffer, a subarray (only its bytes), other views and whole ArrayBuffers', () => {
    const plain = pattern(100);
    expect(wipe(plain)).toBe(100);
    expect(plain.every((byte) => byte === 0)).toBe(true);

    const buffer = Buffer.from(pattern(64));
    expect(wipe(buffer)).toBe(64);
    expect(buffer.every((byte) => byte === 0)).toBe(true);

    // A subarray: its own bytes go, its neighbours stay (the control that wipe is not too wide).
    const whole = pattern(30);
    expect(wipe(whole.subarray(10, 20))).toBe(10);
    expect(Array.from(whole.subarray(10, 20))).toEqual(new Array(10).fill(0));
    expect(Array.from(whole.subarray(0, 10))).toEqual(Array.from(pattern(30).subarray(0, 10)));
    expect(Array.from(whole.subarray(20))).toEqual(Array.from(pattern(30).subarray(20)));

    const words = new Uint32Array(pattern(16).buffer);
    expect(wipe(words)).toBe(16);
    expect(Array.from(words)).toEqual([0, 0, 0, 0]);
    const backing = pattern(12);
    expect(wipe(new DataView(backing.buffer, 4, 4))).toBe(4);
    expect(Array.from(backing.subarray(4, 8))).toEqual([0, 0, 0, 0]);
    expect(backing[3]).not.toBe(0);
    const raw = pattern(8).buffer;
    expect(wipe(raw)).toBe(8);
    expect(new Uint8Array(raw).every((byte) => byte === 0)).toBe(true);
    const shared = new Uint8Array(new SharedArrayBuffer(8));
    shared.set(pattern(8));
    expect(wipe(shared.buffer)).toBe(8);
    expect(shared.every((byte) => byte === 0)).toBe(true);
  });

  it('wipes the real length even when the array lies about it (own length, patched prototype)', () => {
    const liar = pattern(48);
    Object.defineProperty(liar, 'length', { value: 1 });
    Object.defineProperty(liar, 'byteLength', { value: 1 });
    const proto = Object.getPrototypeOf(Uint8Array.prototype);
    const original = Object.getOwnPropertyDescriptor(proto, 'byteLength')!;
    Object.defineProperty(proto, 'byteLength', { get: () => 2, configurable: true });
    try {
      expect(liar.byteLength).toBe(1); // the control: a naive fill(0, 0, byteLength) would stop after 1 byte
      expect(wipe(liar)).toBe(48);
    } finally {
      Object.defineProperty(proto, 'byteLength', original);
    }
    expect(new Uint8Array(liar.buffer).every((byte) => byte === 0)).toBe(true);
  });

  it('still wipes when the JIT has optimised the caller hot (no dead-store elimination)', () => {
    const hot = (bytes: Uint8Array) => {
      bytes.set(pattern(bytes.length));
      wipe(bytes);
    };
    const bytes = new Uint8Array(32);
    for (let round = 0; round < 20_000; round++) {
      hot(bytes);
      if (bytes.some((byte) => byte !== 0)) throw new Error(`round ${round} left bytes behind`);
    }
    expect(bytes.every((byte) => byte === 0)).toBe(true);
  });

  it('refuses a string (it cannot be wiped: V8 strings are immutable) and other values, naming the type only', () => {
    const error = errorOf(() => wipe('hunter2' as never));
    expect(error?.code).toBe('INVALID_ARGUMENT');
    expect(error?.message).toContain('a string of 7 characters');
    expect(error?.message).not.toContain('hunter2');
    for (const value of [null, undefined, 42, [1, 2, 3], { length: 3 }]) {
      expect(errorOf(() => wipe(value as never))?.code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('util.inspect of a SecureBuffer', () => {
  it('shows size and state, never the bytes', () => {
    const secret = pattern(16);
    const expected = Buffer.from(secret);
    const key = SecureBuffer.from(secret);
    expect(inspect(key)).toBe('SecureBuffer(16 bytes, at rest)');
    expect(key.use(() => inspect(key))).toBe('SecureBuffer(16 bytes, open for use/update)');
    expect(inspect({ key }, { depth: 5, showHidden: true })).toBe('{ key: SecureBuffer(16 bytes, at rest) }');
    // The control: inspecting the view inside use() does show the bytes, so the check above could fail.
    const shown = key.use((view) => inspect(view));
    expect(shown).toContain(String(expected[0]));
    expect(inspect(key)).not.toContain(`${String(expected[0])},`);
    key.dispose();
    expect(inspect(key)).toBe('SecureBuffer(16 bytes, disposed)');
  });
});

describe("LOCK_FAILED counts memshield's own secrets and locked bytes", () => {
  it('says how many live secrets and regions memshield holds and how much of the locked memory is its own', () => {
    const host = createSimulatedHost({ pageSize: 4096, memlockLimit: 4 * 4096 });
    const first = SecureBuffer.alloc(32, { host, secretMemory: 'off' });
    const second = SecureBuffer.alloc(32, { host, secretMemory: 'off' });
    const heap = new SecureHeap({ host, secretMemory: 'off', arenaSize: 4096 });
    const error = errorOf(() => {
      for (let i = 0; i < 10; i++) heap.alloc(16);
      SecureBuffer.alloc(3 * 4096, { host, secretMemory: 'off' });
    });
    expect(error?.code).toBe('LOCK_FAILED');
    const locked = host.usage().lockedBytes;
    expect(locked).toBeGreaterThan(0);
    expect(error?.message).toMatch(
      new RegExp(`memshield itself holds 12 live secrets in \\d+ regions, ${locked} bytes of them locked`),
    );
    heap.destroy();
    first.dispose();
    second.dispose();
  });
});
