// The real byte length of a typed array, through the built-in getter captured when this module
// loads: the length a host copies never comes from a `byteLength` the array, its class or a
// getter replaced afterwards answers (intrinsics.ts reads caller bytes the same way).
const typedArrayByteLength = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype) as object,
  'byteLength',
)!.get!;
const { apply } = Reflect;

/** The real byte length of `view` (0 once its buffer is detached). */
export function byteLengthOf(view: ArrayBufferView): number {
  return apply(typedArrayByteLength, view, []) as number; // optimised code folds the empty literal away
}
