// secretFromFile: a key file, a mounted secret (/run/secrets/…), a pipe or stdin, read with
// read(2) straight into a SecureBuffer's open data pages. No byte of it passes through ordinary
// memory; growing and trimming copy from locked page to locked page (secret-builder.ts).
import type { DescriptorFailure } from '../host/descriptors.js';
import { fileCalls } from './platform-calls.js';
import { MemoryProtectionError, invalidArgument } from './errors.js';
import { DEFAULT_MAX_SIZE, SecretBuilder } from './secret-builder.js';
import type { SecureBuffer, SecureBufferOptions } from './secure-buffer.js';
import { checkSize } from './validate.js';
import { readOptions } from '../shared/options.js';

/** Options of {@link secretFromFile}. */
export interface SecretFromFileOptions extends SecureBufferOptions {
  /** The most bytes accepted (default 1 MiB); a longer file is OUT_OF_BOUNDS and nothing is kept. */
  maxSize?: number;
  /** Leave out one trailing `\n` or `\r\n` (default false): the newline editors add to a key file. */
  trimNewline?: boolean;
}

const OPTION_NAMES = ['maxSize', 'trimNewline', 'lock', 'secretMemory', 'host'] as const;

function readFailed(failure: DescriptorFailure, what: string): MemoryProtectionError {
  return new MemoryProtectionError(
    'READ_FAILED',
    `cannot read ${what}: ${failure.syscall} failed ` +
      `with ${failure.errnoName}${failure.errno ? ` (${failure.errno})` : ''}. Check that it exists and this ` +
      `process may read it. Nothing was kept.`,
    { syscall: failure.syscall, errno: failure.errno, errnoName: failure.errnoName },
  );
}

/**
 * Reads a file (by path) or an open descriptor (by number, e.g. 0 for stdin) to its end, straight
 * into a new SecureBuffer: the bytes never pass through ordinary memory. A descriptor passed in
 * is read from its current position and left open; a path is opened and closed here.
 * @param source - a path, or an open file descriptor
 * @param options - `{ maxSize?, trimNewline?, lock?, secretMemory?, host? }`
 * @returns a SecureBuffer exactly as long as what was read
 * @throws {MemoryProtectionError} READ_FAILED (with syscall and errno), OUT_OF_BOUNDS (longer than
 * maxSize), INVALID_ARGUMENT (empty, bad options), LOCK_FAILED, ALLOCATION_FAILED
 * @example
 * const key = secretFromFile('/run/secrets/hmac-key', { trimNewline: true });
 */
export function secretFromFile(source: string | number, options?: SecretFromFileOptions): SecureBuffer {
  if (typeof source !== 'string' && !(typeof source === 'number' && Number.isInteger(source) && source >= 0)) {
    throw invalidArgument(
      `secretFromFile needs a path or an open file ` +
        `descriptor, got ${typeof source === 'number' ? `the number ${source}` : typeof source}`,
    );
  }
  const opts = readOptions<SecretFromFileOptions>(options, 'options', OPTION_NAMES);
  const maxSize = opts.maxSize === undefined ? DEFAULT_MAX_SIZE : checkSize(opts.maxSize, 'options.maxSize');
  if (opts.trimNewline !== undefined && typeof opts.trimNewline !== 'boolean') {
    throw invalidArgument(`options.trimNewline must be true or false, got ${typeof opts.trimNewline}`);
  }
  const what = typeof source === 'number' ? `file descriptor ${source}` : 'the file';
  const files = fileCalls('secretFromFile');
  const opened = files.open(source);
  if ('syscall' in opened) throw readFailed(opened, what);
  const { lock, secretMemory, host } = opts;
  try {
    if (opened.size !== undefined && opened.size > maxSize) {
      throw new MemoryProtectionError(
        'OUT_OF_BOUNDS',
        `${what} holds ${opened.size} bytes, more than maxSize (${maxSize} bytes). Pass ` +
          `a larger { maxSize } if it really is a secret this long. Nothing was read.`,
      );
    }
    const builder = new SecretBuilder(what, maxSize, { lock, secretMemory, host }, opened.size);
    try {
      let failure: DescriptorFailure | undefined;
      for (;;) {
        const read = builder.append((free) => {
          const count = files.read(opened.fd, free);
          if (typeof count === 'number') return count;
          failure = count;
          return 0;
        });
        if (failure) throw readFailed(failure, what);
        if (read === 0) break;
      }
      if (opts.trimNewline && builder.lastByte() === 0x0a) {
        builder.dropLast(1);
        if (builder.lastByte() === 0x0d) builder.dropLast(1);
      }
      return builder.finish();
    } catch (error) {
      builder.abandon();
      throw error;
    }
  } finally {
    if (opened.owned) files.close(opened.fd);
  }
}
