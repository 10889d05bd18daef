// wipe(bytes): zeroes any byte array in place, memshield's sodium_memzero / memguard WipeBytes
// for the copies a program cannot avoid (a request body, a decoded token, a scratch key).
import { invalidArgument } from './errors.js';
import {
  bufferByteLength,
  byteSpanOf,
  dataViewSpanOf,
  fillBytes,
  isSharedBuffer,
  plainBytes,
  typedArrayKind,
} from '../shared/intrinsics.js';

// Where the last wipe's fold goes: a value the engine must compute, so the fill before it is live.
let witness = 0;

/**
 * Zeroes every byte of `bytes` in place: a Uint8Array or Buffer (its whole view, whatever
 * `length` it claims), any other TypedArray or DataView (its bytes), or a whole ArrayBuffer /
 * SharedArrayBuffer. The extent comes from the built-in getters captured at load (intrinsics.ts),
 * and the zeroes are read back, so the engine cannot drop the fill as dead.
 * @param bytes - what to wipe
 * @returns the number of bytes zeroed
 * @throws {MemoryProtectionError} INVALID_ARGUMENT for anything else (a string cannot be wiped: V8
 * strings are immutable)
 * @example
 * const body = new TextEncoder().encode('a token we had to hold');
 * wipe(body); // 22
 */
export function wipe(bytes: ArrayBufferView | ArrayBufferLike): number {
  const target = bytesOf(bytes);
  const length = target.length; // a plain Uint8Array of the built-in prototype, made here
  if (length === 0) return 0;
  fillBytes(target, 0);
  let fold = 0;
  for (let i = 0; i < length; i++) fold |= target[i];
  witness = fold;
  if (witness !== 0)
    throw invalidArgument(
      `wipe() found a non-zero byte after zeroing ${length} bytes: another thread ` +
        `wrote to this shared memory meanwhile. Wipe it when no one else writes to it.`,
    );
  return length;
}

/** A plain Uint8Array over exactly the bytes of `value`, from its internal slots. */
function bytesOf(value: unknown): Uint8Array {
  if (typedArrayKind(value) !== undefined) return plainBytes(byteSpanOf(value as ArrayBufferView));
  const dataView = dataViewSpanOf(value);
  if (dataView) return plainBytes(dataView);
  const byteLength = bufferByteLength(value);
  if (byteLength !== undefined) {
    return plainBytes({
      buffer: value as ArrayBufferLike,
      byteOffset: 0,
      byteLength,
      resizable: false,
      shared: isSharedBuffer(value),
    });
  }
  const what =
    typeof value === 'string'
      ? `a string of ${value.length} characters (V8 strings are immutable and cannot be wiped: keep secrets in bytes)`
      : value === null
        ? 'null'
        : typeof value;
  throw invalidArgument(`wipe() needs a Uint8Array, Buffer, other TypedArray, DataView or ArrayBuffer, got ${what}`);
}
