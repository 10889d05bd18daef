// The built-ins memshield relies on when it reads a caller's values, captured when this module
// loads. A value's length, offset and memory are read through these (never through a property
// the value, its prototype or a Proxy can answer), and replacing Array.prototype.includes, a
// TypedArray getter, WeakMap.prototype.get or Map.prototype.get after memshield loaded changes
// nothing here.
// Nothing in this file calls code a caller supplied.
import { byteLengthOf } from './byte-length.js';

const { apply, getPrototypeOf, ownKeys, getOwnPropertyDescriptor } = Reflect;
const { create, defineProperty, freeze, hasOwn, isFrozen } = Object;
const { isArray } = Array;
const { isInteger } = Number;
const NativeUint8Array = Uint8Array;

/** The getter of `name` on `target`, or undefined where this runtime does not have it. */
function getterOf(target: object, name: PropertyKey): ((this: unknown) => unknown) | undefined {
  return getOwnPropertyDescriptor(target, name)?.get as ((this: unknown) => unknown) | undefined;
}

const TypedArrayPrototype = getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayTag = getterOf(TypedArrayPrototype, Symbol.toStringTag)!;
const typedArrayBuffer = getterOf(TypedArrayPrototype, 'buffer')!;
const typedArrayByteOffset = getterOf(TypedArrayPrototype, 'byteOffset')!;
const typedArrayFill = TypedArrayPrototype['fill' as keyof object] as (this: Uint8Array, value: number) => Uint8Array;
const typedArraySet = TypedArrayPrototype['set' as keyof object] as (this: Uint8Array, source: Uint8Array) => void;
const arrayBufferByteLength = getterOf(ArrayBuffer.prototype, 'byteLength')!;
const arrayBufferResizable = getterOf(ArrayBuffer.prototype, 'resizable');
const sharedBufferByteLength =
  typeof SharedArrayBuffer === 'function' ? getterOf(SharedArrayBuffer.prototype, 'byteLength') : undefined;
const sharedBufferGrowable =
  typeof SharedArrayBuffer === 'function' ? getterOf(SharedArrayBuffer.prototype, 'growable') : undefined;
const dataViewByteLength = getterOf(DataView.prototype, 'byteLength')!;
const dataViewBuffer = getterOf(DataView.prototype, 'buffer')!;
const dataViewByteOffset = getterOf(DataView.prototype, 'byteOffset')!;
const functionCall = Function.prototype.call;
const functionBind = Function.prototype.bind;
const weakMapGet = WeakMap.prototype.get;
const weakMapSet = WeakMap.prototype.set;

export {
  apply,
  create,
  defineProperty,
  freeze,
  getOwnPropertyDescriptor,
  getPrototypeOf,
  hasOwn,
  isFrozen,
  isInteger,
  ownKeys,
};

/**
 * A built-in getter applied to `self` through the captured Reflect.apply. The empty literal is
 * deliberate: optimised code folds `apply(f, self, [])` into a direct call and makes no array
 * (measured faster than one shared frozen empty array, which goes through the generic path).
 */
function get<T>(getter: (this: never) => unknown, self: unknown): T {
  return apply(getter as () => unknown, self, []) as T;
}

/**
 * `method` as a plain function of (self, ...args), bound once to the captured
 * Function.prototype.call: calling it allocates no argument array (a rest parameter would, on
 * every call that is not inlined).
 */
export function uncurry<Args extends unknown[], R>(
  method: (this: never, ...args: Args) => R,
): (self: unknown, ...args: Args) => R {
  return functionBind.call(functionCall, method) as (self: unknown, ...args: Args) => R;
}

const fillOn = uncurry(typedArrayFill);
const setOn = uncurry(typedArraySet);
const weakMapGetOn = uncurry(weakMapGet as (this: never, key: object) => unknown);
const weakMapSetOn = uncurry(weakMapSet as (this: never, key: object, value: unknown) => unknown);

/** Calls `fn` on `self`; undefined instead of the TypeError a getter throws on a value without its slot. */
function tryCall<T>(fn: ((this: unknown) => unknown) | undefined, self: unknown): T | undefined {
  if (fn === undefined) return undefined;
  try {
    return get<T>(fn, self);
  } catch {
    return undefined;
  }
}

/**
 * The kind of a real typed array (`'Uint8Array'`, `'Int16Array'`, … — a Buffer or a subclass of
 * Uint8Array says `'Uint8Array'`), or undefined for anything else: a Proxy, a look-alike, a
 * DataView. Runs no code of the value's (the built-in getter reads an internal slot).
 */
export function typedArrayKind(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? get<string | undefined>(typedArrayTag, value) : undefined;
}

/** The real memory of a typed array: its buffer, byte offset and byte length (0 once detached). */
export interface ByteSpan {
  buffer: ArrayBufferLike;
  byteOffset: number;
  byteLength: number;
  /** The buffer can change size (a resizable ArrayBuffer, a growable SharedArrayBuffer). */
  resizable: boolean;
  /** The buffer is a SharedArrayBuffer. */
  shared: boolean;
}

/**
 * The real memory behind a typed array (check it with typedArrayKind first). With `into`, that
 * record is filled and returned instead of a new one (a hot path's scratch; nothing allocated).
 */
export function byteSpanOf(view: ArrayBufferView, into?: ByteSpan): ByteSpan {
  const buffer = get<ArrayBufferLike>(typedArrayBuffer, view);
  let shared = false;
  let resizable: boolean;
  try {
    // An ArrayBuffer (the common case) answers without throwing; a SharedArrayBuffer throws here.
    if (arrayBufferResizable) {
      resizable = get<boolean>(arrayBufferResizable, buffer) === true;
    } else {
      get(arrayBufferByteLength, buffer); // no resizable buffers in this runtime; only the shared check
      resizable = false;
    }
  } catch {
    shared = true;
    resizable = tryCall<boolean>(sharedBufferGrowable, buffer) === true;
  }
  const byteOffset = get<number>(typedArrayByteOffset, view);
  const byteLength = byteLengthOf(view);
  if (into === undefined) return { buffer, byteOffset, byteLength, resizable, shared };
  into.buffer = buffer;
  into.byteOffset = byteOffset;
  into.byteLength = byteLength;
  into.resizable = resizable;
  into.shared = shared;
  return into;
}

/** The real byte length of a typed array (0 once detached); shared with the hosts. */
export { byteLengthOf };

const EMPTY_BYTES = new NativeUint8Array(0);
const uint8ArrayPrototype = NativeUint8Array.prototype;
// Node's Buffer prototype, if it is what it claims (a Uint8Array subclass's); undefined elsewhere.
const bufferPrototype = (() => {
  const candidate = (globalThis as { Buffer?: { prototype?: unknown } }).Buffer?.prototype;
  return typeof candidate === 'object' && candidate !== null && getPrototypeOf(candidate) === uint8ArrayPrototype
    ? candidate
    : undefined;
})();

/**
 * `view` itself when it is a Uint8Array or a Buffer (memshield's hosts read arrays only through
 * the built-ins: nothing on it is asked), else plainBytes(span): no array made per call for the
 * arrays callers pass.
 */
export function bytesOf(view: Uint8Array, span: ByteSpan): Uint8Array {
  if (span.byteLength === 0) return EMPTY_BYTES;
  const prototype = getPrototypeOf(view); // a real typed array (typedArrayKind): no trap runs
  if (prototype === uint8ArrayPrototype || prototype === bufferPrototype) return view;
  return new NativeUint8Array(span.buffer, span.byteOffset, span.byteLength);
}

/** A plain Uint8Array (the built-in prototype, no own properties) over exactly `span`'s bytes. */
export function plainBytes(span: ByteSpan): Uint8Array {
  // A detached buffer has no bytes left (and refuses a new view): an empty array stands for it.
  if (span.byteLength === 0) return new NativeUint8Array(0);
  return new NativeUint8Array(span.buffer, span.byteOffset, span.byteLength);
}

/** The byte length of an ArrayBuffer or SharedArrayBuffer, or undefined for anything else. */
export function bufferByteLength(value: unknown): number | undefined {
  return tryCall<number>(arrayBufferByteLength, value) ?? tryCall<number>(sharedBufferByteLength, value);
}

/** True for a real SharedArrayBuffer. */
export function isSharedBuffer(value: unknown): boolean {
  return tryCall<number>(sharedBufferByteLength, value) !== undefined;
}

/** The byte length of a real DataView, or undefined for anything else. */
export function dataViewLength(value: unknown): number | undefined {
  return tryCall<number>(dataViewByteLength, value);
}

/** The real memory of a real DataView (as byteSpanOf gives a typed array's), or undefined for anything else. */
export function dataViewSpanOf(value: unknown): ByteSpan | undefined {
  const byteLength = tryCall<number>(dataViewByteLength, value);
  if (byteLength === undefined) return undefined;
  const buffer = get<ArrayBufferLike>(dataViewBuffer, value);
  const shared = isSharedBuffer(buffer);
  return { buffer, byteOffset: get<number>(dataViewByteOffset, value), byteLength, resizable: false, shared };
}

/** Fills a plain Uint8Array with `byte` through the built-in fill. */
export function fillBytes(target: Uint8Array, byte: number): void {
  fillOn(target, byte);
}

/** Copies `source` into `target` (at its start) through the built-in set. */
export function setBytes(target: Uint8Array, source: Uint8Array): void {
  setOn(target, source);
}

/** True if `value` is an array; a revoked Proxy answers undefined (Array.isArray throws for one). */
export function tryIsArray(value: unknown): boolean | undefined {
  try {
    return isArray(value);
  } catch {
    return undefined;
  }
}

/** WeakMap.prototype.get and set, captured. */
export function weakGet<K extends object, V>(map: WeakMap<K, V>, key: K): V | undefined {
  return weakMapGetOn(map, key) as V | undefined;
}
export function weakSet<K extends object, V>(map: WeakMap<K, V>, key: K, value: V): void {
  weakMapSetOn(map, key, value);
}

// Map and its methods, captured: the maps that hold the host's mapping records (views of secret
// pages, addresses) are read and written through these, never through Map.prototype as it is at
// the time of the call.
const NativeMap = Map;
const mapGetOn = uncurry(Map.prototype.get as (this: never, key: unknown) => unknown);
const mapSetOn = uncurry(Map.prototype.set as (this: never, key: unknown, value: unknown) => unknown);
const mapDeleteOn = uncurry(Map.prototype.delete as (this: never, key: unknown) => boolean);
const mapHasOn = uncurry(Map.prototype.has as (this: never, key: unknown) => boolean);

/** A new empty Map from the captured constructor. */
export function newMap<K, V>(): Map<K, V> {
  return new NativeMap<K, V>();
}
/** Map.prototype.get, set, delete and has, captured. */
export function mapGet<K, V>(map: Map<K, V>, key: K): V | undefined {
  return mapGetOn(map, key) as V | undefined;
}
export function mapSet<K, V>(map: Map<K, V>, key: K, value: V): void {
  mapSetOn(map, key, value);
}
export function mapDelete<K, V>(map: Map<K, V>, key: K): boolean {
  return mapDeleteOn(map, key);
}
export function mapHas<K, V>(map: Map<K, V>, key: K): boolean {
  return mapHasOn(map, key);
}

// The `buffer` getter of WebAssembly.Memory, captured: the bridge reads the core's memory through
// it, so a getter installed later on WebAssembly.Memory.prototype is never handed a core's memory.
const wasmMemoryPrototype = (globalThis as { WebAssembly?: { Memory?: { prototype?: object } } }).WebAssembly?.Memory
  ?.prototype;
const wasmMemoryBufferGetter = wasmMemoryPrototype ? getterOf(wasmMemoryPrototype, 'buffer') : undefined;

/** The ArrayBuffer of a WebAssembly.Memory, through the getter captured at load. */
export function wasmMemoryBuffer(memory: object): ArrayBuffer {
  return get<ArrayBuffer>(wasmMemoryBufferGetter!, memory);
}

/** The index of `value` in a frozen list of strings, or -1 (no Array.prototype method involved). */
export function indexIn(list: readonly string[], value: unknown): number {
  if (typeof value !== 'string') return -1;
  for (let i = 0; i < list.length; i++) if (list[i] === value) return i;
  return -1;
}

/** The list joined with `separator` (no Array.prototype.join involved). */
export function joined(list: readonly string[], separator = ', '): string {
  let text = '';
  for (let i = 0; i < list.length; i++) text += (i === 0 ? '' : separator) + list[i];
  return text;
}

// Set and WeakSet and their methods, captured: the sets that list every secure core (the exit
// wipe and purge reach secrets through it) and every copy joined to the process coordinator are
// read and written through these. A caller who replaces Set.prototype.add, has, delete, forEach,
// size or the iterator after memshield loaded changes nothing memshield records or reaches.
const NativeSet = Set;
const NativeWeakSet = WeakSet;
const setAddOn = uncurry(Set.prototype.add as (this: never, value: unknown) => unknown);
const setHasOn = uncurry(Set.prototype.has as (this: never, value: unknown) => boolean);
const setDeleteOn = uncurry(Set.prototype.delete as (this: never, value: unknown) => boolean);
const setForEachOn = uncurry(Set.prototype.forEach as (this: never, visit: (value: unknown) => void) => void);
const setSizeOf = getterOf(Set.prototype, 'size')! as (this: never) => unknown;
const weakSetAddOn = uncurry(WeakSet.prototype.add as (this: never, value: object) => unknown);
const weakSetHasOn = uncurry(WeakSet.prototype.has as (this: never, value: object) => boolean);

/** A new empty Set from the captured constructor. */
export function newSet<T>(): Set<T> {
  return new NativeSet<T>();
}
/** Set.prototype.add, has, delete and the size getter, captured. */
export function setAdd<T>(set: Set<T>, value: T): void {
  setAddOn(set, value);
}
export function setHas<T>(set: Set<T>, value: T): boolean {
  return setHasOn(set, value);
}
export function setDelete<T>(set: Set<T>, value: T): boolean {
  return setDeleteOn(set, value);
}
export function setSize<T>(set: Set<T>): number {
  return get<number>(setSizeOf, set);
}
/**
 * Calls `visit` with every member, in insertion order, through the captured Set.prototype.forEach:
 * neither Set.prototype[Symbol.iterator] nor the iterator's `next` as they are now is consulted.
 */
export function setForEach<T>(set: Set<T>, visit: (value: T) => void): void {
  setForEachOn(set, visit as (value: unknown) => void);
}

/** A new empty WeakSet from the captured constructor; WeakSet.prototype.add and has, captured. */
export function newWeakSet<T extends object>(): WeakSet<T> {
  return new NativeWeakSet<T>();
}
export function weakSetAdd<T extends object>(set: WeakSet<T>, value: T): void {
  weakSetAddOn(set, value);
}
export function weakSetHas<T extends object>(set: WeakSet<T>, value: T): boolean {
  return weakSetHasOn(set, value);
}
