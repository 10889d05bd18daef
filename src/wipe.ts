// wipe(bytes): zeroes any byte array in place, memshield's sodium_memzero / memguard WipeBytes
// for the copies a program cannot avoid (a request body, a decoded token, a scratch key).
import { invalidArgument } from './errors.js';

// Captured at load, so a caller's own `length`/`byteLength` property (or a patched prototype)
// cannot make the wipe stop short: the real extent comes from the engine's internal slots.
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const getter = (target: object, name: string) => Object.getOwnPropertyDescriptor(target, name)!.get!;
const viewBuffer = getter(TypedArrayPrototype, 'buffer');
const viewOffset = getter(TypedArrayPrototype, 'byteOffset');
const viewLength = getter(TypedArrayPrototype, 'byteLength');
const dataViewBuffer = getter(DataView.prototype, 'buffer');
const dataViewOffset = getter(DataView.prototype, 'byteOffset');
const dataViewLength = getter(DataView.prototype, 'byteLength');
const arrayBufferLength = getter(ArrayBuffer.prototype, 'byteLength');
const sharedLength = typeof SharedArrayBuffer === 'function' ? getter(SharedArrayBuffer.prototype, 'byteLength') : undefined;
const isView = ArrayBuffer.isView;
const fill = Uint8Array.prototype.fill;
const call = Function.prototype.call;
const apply = <T>(fn: (...args: never[]) => T, self: unknown, ...args: unknown[]): T => call.apply(fn, [self, ...args] as never) as T;

// Where the last wipe's fold goes: a value the engine must compute, so the fill before it is live.
let witness = 0;

/**
 * Zeroes every byte of `bytes` in place: a Uint8Array or Buffer (its whole view, whatever
 * `length` it claims), any other TypedArray or DataView (its bytes), or a whole ArrayBuffer /
 * SharedArrayBuffer. The zeroes are read back, so the engine cannot drop the fill as dead.
 * @param bytes - what to wipe
 * @returns the number of bytes zeroed
 * @throws {MemoryProtectionError} INVALID_ARGUMENT for anything else (a string cannot be wiped: V8 strings are immutable)
 * @example
 * const body = Buffer.from(request.body);
 * try { key = SecureBuffer.from(body, { wipeSource: false }); } finally { wipe(body); }
 */
export function wipe(bytes: ArrayBufferView | ArrayBufferLike): number {
  const target = bytesOf(bytes);
  const length = apply(viewLength, target) as number;
  if (length === 0) return 0;
  apply(fill, target, 0);
  let fold = 0;
  for (let i = 0; i < length; i++) fold |= target[i];
  witness = fold;
  if (witness !== 0) throw invalidArgument(`wipe() found a non-zero byte after zeroing ${length} bytes: another thread wrote to this shared memory meanwhile. Wipe it when no one else writes to it.`);
  return length;
}

/** A Uint8Array over exactly the bytes of `value`, from its internal slots. */
function bytesOf(value: unknown): Uint8Array {
  // Each getter throws for a value without its internal slot: the test instanceof cannot be fooled by.
  const slot = (get: () => unknown) => {
    try {
      return apply(get, value);
    } catch {
      return undefined;
    }
  };
  if (isView(value)) {
    const typed = slot(viewLength) !== undefined;
    return new Uint8Array(
      apply(typed ? viewBuffer : dataViewBuffer, value) as ArrayBufferLike,
      apply(typed ? viewOffset : dataViewOffset, value) as number,
      apply(typed ? viewLength : dataViewLength, value) as number,
    );
  }
  const length = slot(arrayBufferLength) ?? (sharedLength ? slot(sharedLength) : undefined);
  if (typeof length === 'number') return new Uint8Array(value as ArrayBufferLike, 0, length);
  const what = typeof value === 'string'
    ? `a string of ${value.length} characters (V8 strings are immutable and cannot be wiped: keep secrets in bytes)`
    : value === null ? 'null' : typeof value;
  throw invalidArgument(`wipe() needs a Uint8Array, Buffer, other TypedArray, DataView or ArrayBuffer, got ${what}`);
}
