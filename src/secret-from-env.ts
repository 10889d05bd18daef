// secretFromEnv: a secret handed over in an environment variable (containers, CI, systemd),
// copied from libc's own bytes straight into a SecureBuffer (no JS string of it is made), then
// scrubbed: its bytes zeroed in place — in the initial environment block too, which every
// process of the same user can read as /proc/PID/environ — and the variable unset.
import { environmentCalls } from './platform-calls.js';
import { MemoryProtectionError, invalidArgument } from './errors.js';
import {
  ENCODINGS,
  decodeInto,
  decodedLength,
  secretFromString,
  type EncodedSource,
  type SecretEncoding,
} from './secret-from-string.js';
import { SecureBuffer, type SecureBufferOptions } from './secure-buffer.js';
import { readOptions } from '../shared/options.js';
import { indexIn, joined } from '../shared/intrinsics.js';

/** Options of {@link secretFromEnv}. */
export interface SecretFromEnvOptions extends SecureBufferOptions {
  /** How the value is written: `'utf8'` (default: its bytes as they are), `'hex'`, `'base64'` or `'base64url'`. */
  encoding?: SecretEncoding;
  /** Leave the variable set and its bytes in place (default false: scrub it). */
  keep?: boolean;
}

const OPTION_NAMES = ['encoding', 'keep', 'lock', 'secretMemory', 'host'] as const;

type Env = Record<string, string | undefined>;
const processEnv = (): Env | undefined => (globalThis as { process?: { env?: Env } }).process?.env;

/**
 * Moves an environment variable into a new SecureBuffer and scrubs it: on Linux its value is
 * copied from libc's bytes (no JS string of it is made) and zeroed where libc holds it and in
 * the initial environment block (so `/proc/self/environ` no longer shows it); then it is deleted
 * from `process.env`. Elsewhere the value is read from `process.env` (one string, which cannot
 * be wiped) and deleted. Child processes started afterwards do not inherit it.
 * @param name - the variable's name
 * @param options - `{ encoding?, keep?, lock?, secretMemory?, host? }`
 * @throws {MemoryProtectionError} INVALID_ARGUMENT (not set, empty, not in that encoding, bad
 * name), LOCK_FAILED, ALLOCATION_FAILED
 * @example
 * const token = secretFromEnv('API_TOKEN'); // process.env.API_TOKEN is gone, and so is /proc/self/environ's copy
 */
export function secretFromEnv(name: string, options?: SecretFromEnvOptions): SecureBuffer {
  if (typeof name !== 'string' || name.length === 0 || name.includes('=') || name.includes('\0')) {
    throw invalidArgument(
      `secretFromEnv needs a variable name (a non-empty string ` +
        `without '=' or NUL), got ${typeof name === 'string' ? `a string of ${name.length} characters` : typeof name}`,
    );
  }
  const opts = readOptions<SecretFromEnvOptions>(options, 'options', OPTION_NAMES);
  const encoding = opts.encoding ?? 'utf8';
  if (indexIn(ENCODINGS, encoding) < 0)
    throw invalidArgument(`options.encoding must be one of ${joined(ENCODINGS, ', ')}, got ${typeof encoding}`);
  if (opts.keep !== undefined && typeof opts.keep !== 'boolean')
    throw invalidArgument(`options.keep must be true or false, got ${typeof opts.keep}`);
  const allocation = { lock: opts.lock, secretMemory: opts.secretMemory, host: opts.host };
  const notSet = () =>
    invalidArgument(
      `the environment variable ${name} is not set. Set it before starting the program, or check its name.`,
    );

  if (processEnv() === undefined) {
    throw new MemoryProtectionError(
      'NOT_SUPPORTED',
      `secretFromEnv(${JSON.stringify(name).length - 2}-character ` +
        `name) needs an environment, and this runtime has none (no ` +
        `process.env: a browser, Web Worker or edge runtime). Hand ` +
        `the secret in as bytes and use SecureBuffer.from(bytes).`,
    );
  }
  const access = environmentCalls();
  const copied = access?.withValue(name, (value) => fromBytes(value, encoding, allocation, name));
  let secret: SecureBuffer;
  if (copied) {
    secret = copied.result;
  } else {
    // No view of libc's bytes here: the value as process.env gives it (a string that stays).
    const text = processEnv()?.[name];
    if (text === undefined) throw notSet();
    secret = secretFromString(text, encoding, allocation);
  }
  if (!opts.keep) {
    access?.scrub(name, new TextEncoder().encode(name));
    const env = processEnv();
    if (env) delete env[name];
  }
  return secret;
}

/** A SecureBuffer decoded from the value's bytes (an environment value is bytes, usually UTF-8). */
function fromBytes(
  value: Uint8Array,
  encoding: SecretEncoding,
  allocation: SecureBufferOptions,
  name: string,
): SecureBuffer {
  const source: EncodedSource = { length: value.length, code: (at) => value[at] };
  const length = encoding === 'utf8' ? value.length : decodedLength(source, encoding);
  if (length === 0)
    throw invalidArgument(`the environment variable ${name} is empty: a secret needs at least one byte`);
  const secret = SecureBuffer.alloc(length, allocation);
  try {
    secret.update((view) => (encoding === 'utf8' ? view.set(value) : decodeInto(source, encoding, view)));
  } catch (error) {
    secret.dispose();
    throw error;
  }
  return secret;
}
