// secretFromString: a key given as hex, base64, base64url or plain text (a config value, a
// command-line argument), decoded character by character straight into a SecureBuffer's open
// data pages: no decoded copy, whole or in part, is ever made in ordinary memory.
//
// The source string itself stays: V8 strings are immutable, cannot be wiped, and may be copied
// by the garbage collector. Prefer a way in that never makes one (secretFromFile, secretFromEnv,
// readPassword); use this where a string is all there is, and drop every reference to it.
import { invalidArgument } from './errors.js';
import { SecureBuffer, type SecureBufferOptions } from './secure-buffer.js';
import { readOptions } from '../shared/options.js';
import { indexIn, joined } from '../shared/intrinsics.js';

/** The encodings {@link secretFromString} decodes. */
export type SecretEncoding = 'hex' | 'base64' | 'base64url' | 'utf8';

export const ENCODINGS: readonly SecretEncoding[] = ['hex', 'base64', 'base64url', 'utf8'];
const OPTION_NAMES = ['lock', 'secretMemory', 'host'] as const;

// Sextet of each base64 and base64url character (both alphabets accepted), -1 for others.
const SEXTETS = new Int8Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split('').forEach((c, i) => {
  SEXTETS[c.charCodeAt(0)] = i;
});
SEXTETS[0x2b] = SEXTETS[0x2d] = 62; // + and -
SEXTETS[0x2f] = SEXTETS[0x5f] = 63; // / and _

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

const badCharacter = (encoding: string, at: number) =>
  invalidArgument(
    `the ${encoding} string has a character that is not ${encoding} at position ${at}. Nothing was kept.`,
  );

/** Encoded characters by position: a string's char codes, or the bytes of an environment value. */
export interface EncodedSource {
  readonly length: number;
  code(at: number): number;
}

/** A string as an EncodedSource (no copy). */
export const stringSource = (text: string): EncodedSource => ({
  length: text.length,
  code: (at) => text.charCodeAt(at),
});

/** The decoded length of `text`, checking its shape (not its characters). */
export function decodedLength(text: EncodedSource, encoding: SecretEncoding): number {
  if (encoding === 'hex') {
    if (text.length % 2 !== 0)
      throw invalidArgument(`a hex string needs an even number of characters, got ${text.length}`);
    return text.length / 2;
  }
  if (encoding === 'utf8') {
    let bytes = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.code(i);
      if (code < 0x80) bytes += 1;
      else if (code < 0x800) bytes += 2;
      else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.code(i + 1) & 0xfc00) === 0xdc00) {
        bytes += 4;
        i++;
      } else bytes += 3; // other BMP characters, and lone surrogates (encoded as U+FFFD)
    }
    return bytes;
  }
  let end = text.length;
  while (end > 0 && text.code(end - 1) === 0x3d) end--; // '=' padding
  if (text.length - end > 2 || end % 4 === 1)
    throw invalidArgument(`the ${encoding} string has an impossible length (${text.length} characters)`);
  return Math.floor((end * 3) / 4);
}

/** Decodes `text` into `view` (exactly decodedLength bytes); 'utf8' is the caller's (encodeInto, or a byte copy). */
export function decodeInto(text: EncodedSource, encoding: Exclude<SecretEncoding, 'utf8'>, view: Uint8Array): void {
  if (encoding === 'hex') {
    for (let i = 0; i < view.length; i++) {
      const high = hexValue(text.code(2 * i));
      const low = hexValue(text.code(2 * i + 1));
      if (high < 0 || low < 0) throw badCharacter('hex', high < 0 ? 2 * i : 2 * i + 1);
      view[i] = (high << 4) | low;
    }
    return;
  }
  // Base64: every 4 characters carry 3 bytes; the bits are gathered in `bits` and never stored elsewhere.
  let bits = 0;
  let held = 0;
  let out = 0;
  for (let i = 0; out < view.length; i++) {
    const code = text.code(i);
    const sextet = code < 128 ? SEXTETS[code] : -1;
    if (sextet < 0) throw badCharacter(encoding, i);
    bits = ((bits << 6) | sextet) & 0xffffff;
    held += 6;
    if (held >= 8) {
      held -= 8;
      view[out++] = (bits >>> held) & 0xff;
    }
  }
  bits = 0;
}

/**
 * Decodes a hex, base64/base64url or UTF-8 string straight into a new SecureBuffer, character by
 * character: no decoded copy is made in ordinary memory. The string itself cannot be wiped (V8
 * strings are immutable): prefer {@link secretFromFile} or {@link secretFromEnv} where you can.
 * @param text - the encoded secret
 * @param encoding - `'hex'`, `'base64'`, `'base64url'` (either alphabet, padding optional) or `'utf8'`
 * @param options - `{ lock?, secretMemory?, host? }`
 * @throws {MemoryProtectionError} INVALID_ARGUMENT (not that encoding, with the position only;
 * empty), LOCK_FAILED, ALLOCATION_FAILED
 * @example
 * const key = secretFromString(config.hmacKeyHex, 'hex');
 */
export function secretFromString(text: string, encoding: SecretEncoding, options?: SecureBufferOptions): SecureBuffer {
  if (typeof text !== 'string')
    throw invalidArgument(`secretFromString needs a string, got ${text === null ? 'null' : typeof text}`);
  if (indexIn(ENCODINGS, encoding) < 0) {
    const got =
      typeof encoding === 'string' ? `a string of ${(encoding as string).length} characters` : typeof encoding;
    throw invalidArgument(`encoding must be one of ${joined(ENCODINGS, ', ')}, got ${got}`);
  }
  const opts = readOptions<SecureBufferOptions>(options, 'options', OPTION_NAMES);
  const source = stringSource(text);
  const length = decodedLength(source, encoding);
  if (length === 0) throw invalidArgument('the string is empty: a secret needs at least one byte');
  const secret = SecureBuffer.alloc(length, { lock: opts.lock, secretMemory: opts.secretMemory, host: opts.host });
  try {
    secret.update((view) => {
      if (encoding === 'utf8') new TextEncoder().encodeInto(text, view);
      else decodeInto(source, encoding, view);
    });
  } catch (error) {
    secret.dispose(); // wipes what was decoded before the bad character
    throw error;
  }
  return secret;
}
