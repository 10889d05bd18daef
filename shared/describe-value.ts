// How an argument check describes a rejected value in its message (used by src/ and host/): by
// type and size, never by content.
import {
  bufferByteLength,
  byteLengthOf,
  dataViewLength,
  isSharedBuffer,
  tryIsArray,
  typedArrayKind,
} from './intrinsics.js';

/** "a"/"an" before a word. */
const article = (word: string) => (/^[AEIOUaeiou]/.test(word) ? `an ${word}` : `a ${word}`);

/**
 * A rejected value as an error message shows it: by type and size, never by content, so a
 * secret handed in the wrong way (a string, bytes, a bigint) never reaches a log. Numbers,
 * booleans, null and undefined are shown as they are. Runs no code of the value's: no getter,
 * no Proxy trap, no toString (the built-in getters read internal slots).
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `a string of ${value.length} character${value.length === 1 ? '' : 's'}`;
    case 'number':
      return Object.is(value, -0) ? '-0' : `${value}`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'bigint':
      return 'a bigint';
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
  }
  if (value === null) return 'null';
  const kind = typedArrayKind(value);
  if (kind !== undefined) return `${article(kind)} of ${byteLengthOf(value as Uint8Array)} bytes`;
  const dataView = dataViewLength(value);
  if (dataView !== undefined) return `a DataView of ${dataView} bytes`;
  const buffer = bufferByteLength(value);
  if (buffer !== undefined)
    return `${isSharedBuffer(value) ? 'a SharedArrayBuffer' : 'an ArrayBuffer'} of ${buffer} bytes`;
  const array = tryIsArray(value);
  if (array === undefined) return 'a revoked Proxy';
  return array ? 'an array' : 'an object';
}
