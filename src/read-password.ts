// readPassword: a password typed at a terminal, with echo off, read byte by byte with read(2)
// straight into a SecureBuffer's open data pages: the characters never become a JS string or
// sit in a Buffer. When input is not a terminal (a pipe, a file), one line is read the same way.
//
//   typed      action
//   Enter      done (\r or \n, not kept)       Ctrl-C   cancel: everything wiped, READ_FAILED
//   Backspace  wipe the last character         Ctrl-D   done (end of input), like Enter
//   (DEL, ^H)  (all bytes of a UTF-8 one)      Ctrl-U   wipe the whole line
import type { DescriptorFailure, FileCalls } from '../host/descriptors.js';
import { fileCalls, terminalCalls } from './platform-calls.js';
import { MemoryProtectionError, invalidArgument } from './errors.js';
import { SecretBuilder } from './secret-builder.js';
import type { SecureBuffer, SecureBufferOptions } from './secure-buffer.js';
import { checkSize } from './validate.js';
import { readOptions } from '../shared/options.js';

/** Options of {@link readPassword}. */
export interface ReadPasswordOptions extends SecureBufferOptions {
  /** Where to read from (default 0, stdin). */
  input?: number;
  /** Where the prompt goes (default 2, stderr, so stdout stays the program's output). */
  output?: number;
  /** The most bytes accepted (default 4096); longer input is OUT_OF_BOUNDS and wiped. */
  maxSize?: number;
}

const OPTION_NAMES = ['input', 'output', 'maxSize', 'lock', 'secretMemory', 'host'] as const;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = 0x08;
const CTRL_U = 0x15;
const DELETE = 0x7f;

const descriptor = (value: unknown, name: string, fallback: number): number => {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  throw invalidArgument(`options.${name} must be an open file descriptor (an integer from 0), got ${typeof value}`);
};

/**
 * Prompts for a password and reads it into a new SecureBuffer without echo (on a terminal) and
 * without a copy in ordinary memory. Synchronous: the program waits while the user types.
 * @param prompt - shown before reading (default `'Password: '`)
 * @param options - `{ input?, output?, maxSize?, lock?, secretMemory?, host? }`
 * @returns the typed bytes (UTF-8), without the final newline
 * @throws {MemoryProtectionError} READ_FAILED (cancelled with Ctrl-C, or a read error),
 * INVALID_ARGUMENT (nothing typed), OUT_OF_BOUNDS (longer than maxSize)
 * @example
 * const password = readPassword('Vault password: ');
 */
export function readPassword(prompt = 'Password: ', options?: ReadPasswordOptions): SecureBuffer {
  if (typeof prompt !== 'string') throw invalidArgument(`the prompt must be a string, got ${typeof prompt}`);
  const opts = readOptions<ReadPasswordOptions>(options, 'options', OPTION_NAMES);
  const input = descriptor(opts.input, 'input', 0);
  const output = descriptor(opts.output, 'output', 2);
  const maxSize = opts.maxSize === undefined ? 4096 : checkSize(opts.maxSize, 'options.maxSize');
  const files = fileCalls('readPassword');
  const { isTerminal, rawMode, writeText } = terminalCalls('readPassword');
  const terminal = isTerminal(input);
  const builder = new SecretBuilder('the password', maxSize, {
    lock: opts.lock,
    secretMemory: opts.secretMemory,
    host: opts.host,
  });
  const restore = terminal ? rawMode(input) : undefined;
  try {
    if (prompt) writeText(output, prompt);
    readLine(builder, files, input, terminal);
    if (terminal) writeText(output, '\n'); // the Enter the terminal did not echo
    return builder.finish();
  } catch (error) {
    builder.abandon();
    if (terminal) writeText(output, '\n');
    throw error;
  } finally {
    restore?.();
  }
}

/** Reads one byte at a time into the secret until the end of the line, editing as it goes. */
function readLine(builder: SecretBuilder, files: FileCalls, fd: number, terminal: boolean): void {
  for (;;) {
    let failure: DescriptorFailure | undefined;
    const read = builder.append((free) => {
      const count = files.read(fd, free.subarray(0, 1));
      if (typeof count === 'number') return count;
      failure = count;
      return 0;
    });
    if (failure)
      throw new MemoryProtectionError(
        'READ_FAILED',
        `cannot read the password: ${failure.syscall} failed with ${failure.errnoName}. Nothing was kept.`,
        failure,
      );
    if (read === 0) return; // end of input
    const byte = builder.lastByte();
    if (byte === 0x0a || byte === 0x0d) {
      builder.dropLast(1);
      return;
    }
    if (!terminal) continue;
    if (byte === CTRL_C) {
      throw new MemoryProtectionError(
        'READ_FAILED',
        'the password prompt was cancelled (Ctrl-C). What was typed was wiped.',
      );
    }
    if (byte === CTRL_D) {
      builder.dropLast(1);
      return;
    }
    if (byte === CTRL_U) {
      builder.dropLast(builder.length);
      continue;
    }
    if (byte === DELETE || byte === BACKSPACE) {
      builder.dropLast(1);
      // One character back: its UTF-8 continuation bytes (10xxxxxx) and its lead byte.
      while (builder.length > 0 && (builder.lastByte() & 0xc0) === 0x80) builder.dropLast(1);
      builder.dropLast(1);
    }
  }
}
