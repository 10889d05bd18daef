// Bytes shaped by an attacker: every length, offset and element memshield copies comes from the
// array's real memory (the built-in TypedArray getters), never from a property the value, its
// class or a Proxy answers. Each lie is first shown to work on an ordinary read (the control);
// then memshield must either copy exactly the real bytes or refuse with a MemoryProtectionError.
// On the real Linux host: a copy past the real array would read V8's heap or fault.
import { afterAll, describe, expect, it } from 'vitest';
import {
  AllocationType,
  MemoryProtectionLevel,
  PlatformMemory,
  SecureBuffer,
  SecureHeap,
  createPlatformMemory,
} from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';
import { errorOf } from '../helpers/errors.js';

const { ReadWrite } = MemoryProtectionLevel;
const REAL = 16;
const LIE = 65536;

/** 16 recognisable bytes in a 48-byte buffer: the 32 bytes after them must never change. */
function lyingArray(): { array: Uint8Array; whole: Uint8Array } {
  const whole = new Uint8Array(48);
  const array = whole.subarray(0, REAL);
  for (let i = 0; i < REAL; i++) array[i] = 0x41 + i;
  Object.defineProperty(array, 'byteLength', { value: LIE });
  Object.defineProperty(array, 'length', { value: LIE });
  return { array, whole };
}

/** A subclass whose getters and methods all lie. */
class LyingBytes extends Uint8Array {
  override get byteLength(): number {
    return LIE;
  }
  override get length(): number {
    return LIE;
  }
  override get byteOffset(): number {
    return 4096;
  }
  override subarray(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(LIE);
  }
  override fill(): this {
    throw new Error('fill of the subclass called');
  }
}

const region = PlatformMemory.allocate(4096, 8, ReadWrite, AllocationType.Secure);
const heap = new SecureHeap({ arenaSize: 16 * 1024 });
afterAll(() => {
  PlatformMemory.free(region);
  heap.destroy();
});

describe('a Uint8Array with a lying byteLength (own property) has its real 16 bytes copied, no more', () => {
  it('control: the lie works on an ordinary read, while the real buffer holds 16 bytes of the view', () => {
    const { array } = lyingArray();
    expect(array.byteLength).toBe(LIE);
    expect(array.length).toBe(LIE);
    expect(new Uint8Array(array.buffer, array.byteOffset).length).toBe(48);
    expect(Uint8Array.from(new Uint8Array(array.buffer, 0, REAL))).toEqual(
      Uint8Array.from({ length: REAL }, (_, i) => 0x41 + i),
    );
  });

  it('SecureBuffer.from copies the 16 real bytes and wipes those 16 only', () => {
    const { array, whole } = lyingArray();
    const secret = SecureBuffer.from(array);
    expect(secret.size).toBe(REAL);
    expect(secret.use((view) => Array.from(view))).toEqual(Array.from({ length: REAL }, (_, i) => 0x41 + i));
    expect(Array.from(whole)).toEqual(new Array(48).fill(0));
    secret.dispose();
  });

  it('heap.from copies the 16 real bytes', () => {
    const { array } = lyingArray();
    const secret = heap.from(array, { wipeSource: false });
    expect(secret.size).toBe(REAL);
    expect(secret.use((view) => view[REAL - 1])).toBe(0x41 + REAL - 1);
    secret.dispose();
  });

  it('PlatformMemory.write writes the 16 real bytes: the region past them stays zero', () => {
    PlatformMemory.secureClear(region);
    PlatformMemory.write(region, lyingArray().array);
    const back = PlatformMemory.read(region);
    expect(back[REAL - 1]).toBe(0x41 + REAL - 1);
    expect(back.subarray(REAL).every((byte) => byte === 0)).toBe(true);
  });

  it('PlatformMemory.readInto fills the 16 real bytes and never writes past them', () => {
    PlatformMemory.write(region, new Uint8Array(4096).fill(0xaa));
    const { array, whole } = lyingArray();
    PlatformMemory.readInto(region, array);
    expect(Array.from(whole.subarray(0, REAL))).toEqual(new Array(REAL).fill(0xaa));
    expect(Array.from(whole.subarray(REAL))).toEqual(new Array(48 - REAL).fill(0));
  });

  it('equals compares the 16 real bytes', () => {
    const secret = SecureBuffer.from(lyingArray().array);
    expect(secret.equals(lyingArray().array)).toBe(true);
    secret.dispose();
  });
});

// A plain Uint8Array or a Buffer reaches the host as the caller handed it (no array is made per
// copy, bench/README.md): every host reads it through the built-ins only.
describe('a plain array or a Buffer whose own properties lie reaches each host unasked', () => {
  /** lyingArray() with methods of its own that throw: a host that asks the array anything fails the test. */
  function sabotaged(array: Uint8Array): Uint8Array {
    for (const name of ['subarray', 'set', 'slice', 'fill', 'at']) {
      Object.defineProperty(array, name, {
        value: () => {
          throw new Error(`${name} of the caller's array called`);
        },
      });
    }
    return array;
  }

  const hosts = [
    ['the native host', () => PlatformMemory],
    ['a simulated host', () => createPlatformMemory({ host: createSimulatedHost() })],
  ] as const;

  it('control: the own properties answer an ordinary read and call', () => {
    const array = sabotaged(lyingArray().array);
    expect(array.length).toBe(LIE);
    expect(() => array.subarray(0, 1)).toThrow(/subarray of the caller's array called/);
    const buffer = sabotaged(Buffer.alloc(REAL));
    Object.defineProperty(buffer, 'length', { value: LIE });
    expect(buffer.length).toBe(LIE);
    expect(() => buffer.set([1])).toThrow(/set of the caller's array called/);
  });

  for (const [name, memoryOf] of hosts) {
    it(`${name}: write copies the 16 real bytes, readInto fills them and nothing past them`, () => {
      const memory = memoryOf();
      const target = memory.allocate(64, 8, ReadWrite, AllocationType.Secure);
      try {
        memory.write(target, sabotaged(lyingArray().array));
        const back = memory.read(target);
        expect(Array.from(back.subarray(0, REAL))).toEqual(Array.from({ length: REAL }, (_, i) => 0x41 + i));
        expect(back.subarray(REAL).every((byte) => byte === 0)).toBe(true);

        memory.write(target, new Uint8Array(64).fill(0xcc));
        const { array, whole } = lyingArray();
        memory.readInto(target, sabotaged(array));
        expect(Array.from(whole.subarray(0, REAL))).toEqual(new Array(REAL).fill(0xcc));
        expect(Array.from(whole.subarray(REAL))).toEqual(new Array(48 - REAL).fill(0));

        const buffer = sabotaged(Buffer.alloc(REAL));
        Object.defineProperty(buffer, 'length', { value: LIE });
        memory.readInto(target, buffer, 8);
        expect(Uint8Array.prototype.every.call(buffer, (byte: number) => byte === 0xcc)).toBe(true);
      } finally {
        memory.free(target);
      }
    });
  }
});

describe('a lying byteLength inherited from a prototype, and a subclass whose getters lie, change nothing', () => {
  it('an inherited getter: the control sees the lie, memshield copies 16 bytes', () => {
    const array = new Uint8Array(REAL).fill(7);
    const lying = Object.create(Uint8Array.prototype, { byteLength: { get: () => LIE } });
    Object.setPrototypeOf(array, lying);
    expect(array.byteLength).toBe(LIE);
    const secret = SecureBuffer.from(array, { wipeSource: false });
    expect(secret.size).toBe(REAL);
    secret.dispose();
  });

  it('a subclass: the control sees the lie, memshield uses the real length and its own fill', () => {
    const array = new LyingBytes(REAL);
    Uint8Array.prototype.fill.call(array, 9);
    expect([array.byteLength, array.length, array.byteOffset]).toEqual([LIE, LIE, 4096]);
    const secret = SecureBuffer.from(array);
    expect(secret.size).toBe(REAL);
    expect(secret.use((view) => view[0])).toBe(9);
    expect(Uint8Array.prototype.every.call(array, (byte: number) => byte === 0)).toBe(true);
    secret.dispose();
    PlatformMemory.write(region, new Uint8Array(4096).fill(0xbb));
    const target = new LyingBytes(REAL);
    PlatformMemory.readInto(region, target);
    expect(Uint8Array.prototype.every.call(target, (byte: number) => byte === 0xbb)).toBe(true);
  });
});

describe('values that are not plain bytes are refused with INVALID_ARGUMENT naming the accepted types', () => {
  const ACCEPTED = /must be a Uint8Array \(a Buffer, or a subclass of Uint8Array\)/;

  it('a Proxy around a Uint8Array: refused without running one trap (control: the trap runs on a plain read)', () => {
    let traps = 0;
    const proxy = new Proxy(new Uint8Array(REAL), {
      get: (target, key) => {
        traps++;
        return key === 'byteLength' ? LIE : Reflect.get(target, key);
      },
    });
    expect(proxy.byteLength).toBe(LIE);
    expect(traps).toBe(1);
    for (const call of [
      () => SecureBuffer.from(proxy),
      () => heap.from(proxy),
      () => PlatformMemory.write(region, proxy),
      () => PlatformMemory.readInto(region, proxy),
    ]) {
      const error = errorOf(call);
      expect(error?.code).toBe('INVALID_ARGUMENT');
      expect(error?.message).toMatch(ACCEPTED);
    }
    expect(traps).toBe(1);
  });

  it('a revoked Proxy, a DataView, an ArrayBuffer, an Int8Array, a plain array', () => {
    const { proxy, revoke } = Proxy.revocable(new Uint8Array(REAL), {});
    revoke();
    expect(() => (proxy as Uint8Array).byteLength).toThrow(TypeError); // control: it is revoked
    const values = [proxy, new DataView(new ArrayBuffer(REAL)), new ArrayBuffer(REAL), new Int8Array(REAL), [1, 2, 3]];
    for (const value of values) {
      for (const call of [
        () => SecureBuffer.from(value as Uint8Array),
        () => PlatformMemory.write(region, value as Uint8Array),
        () => PlatformMemory.readInto(region, value as Uint8Array),
      ]) {
        const error = errorOf(call);
        expect(error?.code).toBe('INVALID_ARGUMENT');
        expect(error?.message).toMatch(ACCEPTED);
      }
    }
  });

  it('a view of a resizable ArrayBuffer (its length could change during the copy)', () => {
    // Node 20 has resizable buffers; TypeScript's ES2022 lib does not describe them.
    const buffer = new (
      ArrayBuffer as unknown as new (
        length: number,
        options: object,
      ) => ArrayBuffer & { resizable: boolean }
    )(REAL, { maxByteLength: 4096 });
    expect(buffer.resizable).toBe(true); // control
    for (const view of [new Uint8Array(buffer), new Uint8Array(buffer, 0, 8)]) {
      const error = errorOf(() => SecureBuffer.from(view));
      expect(error?.code).toBe('INVALID_ARGUMENT');
      expect(error?.message).toMatch(/resizable ArrayBuffer/);
      expect(errorOf(() => PlatformMemory.readInto(region, view))?.code).toBe('INVALID_ARGUMENT');
    }
  });

  it('a detached buffer has no bytes: from() refuses it as empty, write() writes nothing', () => {
    const buffer = new ArrayBuffer(REAL);
    const view = new Uint8Array(buffer);
    structuredClone(buffer, { transfer: [buffer] });
    expect([buffer.byteLength, view.length]).toEqual([0, 0]); // control: detached
    const error = errorOf(() => SecureBuffer.from(view));
    expect(error?.code).toBe('INVALID_ARGUMENT');
    expect(error?.message).toMatch(/at least one byte/);
    expect(() => PlatformMemory.write(region, view)).not.toThrow();
  });

  it('a view of a SharedArrayBuffer works with its real length (the source is wiped)', () => {
    const view = new Uint8Array(new SharedArrayBuffer(REAL)).fill(5);
    const secret = SecureBuffer.from(view);
    expect(secret.use((bytes) => Array.from(bytes))).toEqual(new Array(REAL).fill(5));
    expect(Array.from(view)).toEqual(new Array(REAL).fill(0));
    secret.dispose();
  });
});
