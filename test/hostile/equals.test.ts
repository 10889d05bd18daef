// equals(other) never runs caller code inside the open scope of the buffer it compares: it reads
// the other buffer's private state and opens both through the internal scoped access, never
// through a property of `other`. Buffers are frozen, so no own `use` can be planted on one; an
// inherited one (SecureBuffer.prototype.use replaced) is what a caller can still change, and the
// control shows that a replaced `use` really is what a normal call runs.
import { afterEach, describe, expect, it } from 'vitest';
import { SecureBuffer, SecureHeap } from '../../src/index.js';
import { secretBytes } from '../secure-buffer/peek.js';
import { codeOf } from '../helpers/errors.js';

const originalUse = SecureBuffer.prototype.use;
const originalSize = Object.getOwnPropertyDescriptor(SecureBuffer.prototype, 'size')!;
const originalDisposed = Object.getOwnPropertyDescriptor(SecureBuffer.prototype, 'disposed')!;
afterEach(() => {
  SecureBuffer.prototype.use = originalUse;
  Object.defineProperty(SecureBuffer.prototype, 'size', originalSize);
  Object.defineProperty(SecureBuffer.prototype, 'disposed', originalDisposed);
});

/** Replaces SecureBuffer.prototype.use with one that records every call (and delegates). */
function recordUse(): Array<{ self: unknown; fn: unknown }> {
  const calls: Array<{ self: unknown; fn: unknown }> = [];
  SecureBuffer.prototype.use = function (this: SecureBuffer, fn: never) {
    calls.push({ self: this, fn });
    return originalUse.call(this, fn);
  } as typeof originalUse;
  return calls;
}

describe('SecureBuffer instances are frozen', () => {
  it('refuses an own use, size or disposed, standalone and heap buffers alike', () => {
    using heap = new SecureHeap();
    for (const buffer of [SecureBuffer.alloc(32), heap.alloc(32)]) {
      expect(Object.isFrozen(buffer)).toBe(true);
      expect(() => Object.defineProperty(buffer, 'use', { value: () => 0 })).toThrow(TypeError);
      expect(() => {
        (buffer as unknown as Record<string, unknown>).size = 1;
      }).toThrow(TypeError);
      expect(Object.getOwnPropertyNames(buffer)).toEqual([]);
      // still disposable: the private state stays writable
      buffer.dispose();
      expect(buffer.disposed).toBe(true);
    }
  });
});

describe('equals(other) with another SecureBuffer', () => {
  it('control: a replaced use() is what a normal call runs', () => {
    const other = SecureBuffer.alloc(32);
    const calls = recordUse();
    other.use((view) => view[0]);
    expect(calls.length).toBe(1);
    expect(calls[0].self).toBe(other);
    other.dispose();
  });

  it('never calls use() of either buffer, nor reads their public size or disposed', () => {
    using heap = new SecureHeap();
    const pairs: Array<[SecureBuffer, SecureBuffer]> = [
      [SecureBuffer.from(secretBytes(32)), SecureBuffer.from(secretBytes(32))],
      [heap.alloc(32), heap.alloc(32)],
      [SecureBuffer.from(secretBytes(32)), heap.alloc(32)],
    ];
    for (const [, b] of pairs.slice(1)) b.update((view) => view.set(secretBytes(32)));
    pairs[1][0].update((view) => view.set(secretBytes(32)));
    const calls = recordUse();
    let kept: unknown;
    const trap = {
      get() {
        kept = 'read';
        return 32;
      },
      configurable: true,
    };
    Object.defineProperty(SecureBuffer.prototype, 'size', trap);
    Object.defineProperty(SecureBuffer.prototype, 'disposed', {
      get() {
        kept = 'read';
        return false;
      },
      configurable: true,
    });
    for (const [a, b] of pairs) {
      expect(a.equals(b)).toBe(true);
      expect(b.equals(a)).toBe(true);
      expect(a.equals(secretBytes(32))).toBe(true);
    }
    expect(calls).toEqual([]);
    expect(kept).toBeUndefined();
  });

  it('still compares by content and length, and refuses a disposed other', () => {
    const a = SecureBuffer.from(secretBytes(32));
    const b = SecureBuffer.from(secretBytes(32));
    const c = SecureBuffer.from(secretBytes(31));
    const d = SecureBuffer.from(secretBytes(32, 1));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    expect(a.equals(d)).toBe(false);
    b.dispose();
    expect(codeOf(() => a.equals(b))).toBe('USE_AFTER_FREE');
    for (const x of [a, c, d]) x.dispose();
  });
});
