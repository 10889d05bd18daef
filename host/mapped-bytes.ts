// What a native host (posix.ts, win32.ts) keeps per mapping so that a small call costs no more
// than it must:
//  - the address of the range it was last asked about, as a BigInt: koffi converts a BigInt
//    pointer faster than a Number (measured: 85 ns a call with a BigInt kept, 105 with one made
//    per call, 120-130 with a Number), and a toggle or a use() asks for the same range each time;
//  - one zero-copy view of the whole mapping, for copies: a copy is TypedArray.prototype.set
//    (V8's memmove) instead of a crossing into libc's memcpy (kernel32's RtlMoveMemory on
//    Windows). It is made at the third copy: an allocation and its free copy twice (the canary
//    in, then out to check it), and a view that costs a microsecond and a finalizer would make
//    the short-lived mapping dearer;
//
//  mapping  ┌──────────────┬───────────────────────────────┬──────────────┐
//           │ guard page   │ data pages   [slot][slot]…    │ guard page   │
//           └──────────────┴───────────────────────────────┴──────────────┘
//  whole    ◄──────────────────── one view, for copyIn/copyOut ─────────────►
//
// The views only reach what the pages allow: a copy through them faults exactly where memcpy
// would, and the core has checked bounds and protection before it asks for one. They are
// dropped with the mapping at unmap. The views lent for scoped access are NOT kept here: a heap
// slot is reused by another secret, which must not be lent the view a caller kept from the slot's
// last one; each secret keeps its own lent view (src/scoped-access.ts). Where the runtime
// refuses external buffers (Electron), `whole` is null and the host copies through libc (or
// RtlMoveMemory) as before.
import { byteLengthOf } from '../shared/byte-length.js';
import { uncurry } from '../shared/intrinsics.js';
import { lendView } from './lend.js';
import type { loadKoffi } from './node-builtins.js';

type Koffi = ReturnType<typeof loadKoffi>;

/** One live mapping as a native host holds it. */
export interface MappedBytes {
  /** The base address, as the OS returned it (inspect, unmap). */
  readonly address: bigint;
  /** The last address asked for with `addressAt`, and its offset (-1: none yet). */
  lastAddress: bigint;
  lastOffset: number;
  /** Its length in bytes. */
  readonly length: number;
  /** A view of the whole mapping: undefined until the third copy, null where none can be made. */
  whole: Uint8Array | null | undefined;
  /** Copies made through libc so far, while there is no view. */
  copies: number;
  /** The last window copied out of, and where it is (the same range again: reused, nothing allocated). */
  window: Uint8Array | undefined;
  windowOffset: number;
  windowLength: number;
}

// Captured at load: a caller replacing these later changes nothing here.
const NativeUint8Array = Uint8Array;
const NativeBigInt = BigInt; // addresses made from it reach mprotect, mlock and the wipe
const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
/** `target.set(source, offset)` through the captured built-in; no argument array is made per call. */
const setAt = uncurry(
  Reflect.get(typedArrayPrototype, 'set') as (this: never, source: Uint8Array, offset: number) => void,
);
const bufferOf = uncurry(
  Object.getOwnPropertyDescriptor(typedArrayPrototype, 'buffer')!.get! as (this: never) => ArrayBuffer,
);

/** The record for a mapping just made at `address`. */
export function mappedBytes(address: bigint, length: number): MappedBytes {
  return {
    address,
    length,
    lastAddress: address,
    lastOffset: -1,
    whole: undefined,
    copies: 0,
    window: undefined,
    windowOffset: -1,
    windowLength: -1,
  };
}

/** The address `offset` bytes into the mapping, as koffi takes it fastest (the last one is reused). */
export function addressAt(mapping: MappedBytes, offset: number): bigint {
  if (offset !== mapping.lastOffset) {
    mapping.lastAddress = mapping.address + NativeBigInt(offset);
    mapping.lastOffset = offset;
  }
  return mapping.lastAddress;
}

/** Copies through libc before the view of the whole mapping is made (see above). */
const COPIES_BEFORE_VIEW = 2;

/** The view of the whole mapping once it pays (null before that, and where the runtime lends none). */
function wholeOf(koffi: Koffi, mapping: MappedBytes): Uint8Array | null {
  if (mapping.whole === undefined) {
    if (mapping.copies < COPIES_BEFORE_VIEW) {
      mapping.copies++;
      return null;
    }
    mapping.whole = lendView(koffi, mapping.address, mapping.length) ?? null;
  }
  return mapping.whole;
}

/**
 * Copies `source` into the mapping at `offset` through the whole view; false where there is none (yet): copy through
 * libc.
 */
export function copyIntoMapping(koffi: Koffi, mapping: MappedBytes, offset: number, source: Uint8Array): boolean {
  const whole = wholeOf(koffi, mapping);
  if (whole === null) return false;
  setAt(whole, source, offset);
  return true;
}

/** Copies mapping bytes at `offset` into all of `target` through the whole view; false where there is none (yet). */
export function copyOutOfMapping(koffi: Koffi, mapping: MappedBytes, offset: number, target: Uint8Array): boolean {
  const whole = wholeOf(koffi, mapping);
  if (whole === null) return false;
  const length = byteLengthOf(target);
  let window = mapping.window;
  // Repeated reads of the same range (readInto in a loop) reuse their window.
  if (window === undefined || mapping.windowOffset !== offset || mapping.windowLength !== length) {
    window = new NativeUint8Array(bufferOf(whole), offset, length);
    mapping.window = window;
    mapping.windowOffset = offset;
    mapping.windowLength = length;
  }
  setAt(target, window, 0);
  return true;
}

/**
 * A new view lent for scoped access to [offset, offset + length) (a view of its own buffer, as
 * lent-view tracking expects), undefined where the runtime lends none. Never cached here: the
 * range may hold another secret later (src/scoped-access.ts keeps each secret's own).
 */
export function lentView(koffi: Koffi, mapping: MappedBytes, offset: number, length: number): Uint8Array | undefined {
  return lendView(koffi, addressAt(mapping, offset), length);
}
