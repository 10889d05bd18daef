// Building a secret whose length is not known in advance (a file read to its end, a decoded
// string, a typed password) without a copy in ordinary memory: the bytes go straight into the
// open data pages of a SecureBuffer; when it is full, a larger one is allocated, the bytes copied
// from locked page to locked page, and the old one wiped and freed; at the end the secret is
// copied once more into one of exactly its length.
//
//   capacity 2^k ─┬─ filled ─┬─ free ─┐      full → allocate 2^(k+1), copy, dispose old
//                 └──────────┴────────┘      finish → allocate `filled`, copy, dispose
import { MemoryProtectionError, invalidArgument } from './errors.js';
import { SecureBuffer, type SecureBufferOptions } from './secure-buffer.js';

/** Bytes a secret read to its end may have by default (1 MiB): keys, certificates, passwords. */
export const DEFAULT_MAX_SIZE = 1024 * 1024;
/** The first capacity when nothing tells the length (one page holds it anyway). */
const FIRST_CAPACITY = 256;

/** Grows a secret in locked memory; `finish()` hands it over, `abandon()` wipes it. */
export class SecretBuilder {
  #buffer: SecureBuffer | undefined;
  #filled = 0;
  readonly #maxSize: number;
  readonly #options: SecureBufferOptions;
  readonly #what: string;

  /**
   * @param what - what is being read, for messages ("the file", "the environment variable")
   * @param expected - the length if known (a regular file's size), else undefined
   */
  constructor(what: string, maxSize: number, options: SecureBufferOptions, expected?: number) {
    this.#what = what;
    this.#maxSize = maxSize;
    this.#options = options;
    // One byte past a known length, so that reading to the end needs no byte outside the secret.
    const first = expected === undefined ? FIRST_CAPACITY : expected + 1;
    this.#buffer = SecureBuffer.alloc(Math.min(Math.max(first, 1), maxSize + 1), options);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#filled;
  }

  /**
   * Lends the free part of the secret (at least one byte, growing it first if full) to `fill`,
   * which writes bytes at its start and returns how many.
   * @throws {MemoryProtectionError} OUT_OF_BOUNDS past maxSize (everything wiped by the caller's abandon())
   */
  append(fill: (free: Uint8Array) => number): number {
    if (this.#filled === this.#buffer!.size) this.#grow();
    const start = this.#filled;
    const count = this.#buffer!.update((view) => fill(view.subarray(start)));
    this.#filled += count;
    return count;
  }

  /** Removes the last `count` bytes (wiping them): a typed backspace, a trailing newline. */
  dropLast(count: number): void {
    const keep = Math.max(0, this.#filled - count);
    const end = this.#filled;
    this.#buffer!.update((view) => view.fill(0, keep, end));
    this.#filled = keep;
  }

  /** The last byte written, or -1. */
  lastByte(): number {
    if (this.#filled === 0) return -1;
    const at = this.#filled - 1;
    return this.#buffer!.use((view) => view[at]);
  }

  /**
   * The secret, exactly as long as what was written.
   * @throws {MemoryProtectionError} INVALID_ARGUMENT when nothing was written
   */
  finish(): SecureBuffer {
    const buffer = this.#buffer!;
    if (this.#filled === 0) {
      this.abandon();
      throw invalidArgument(`${this.#what} is empty: a secret needs at least one byte`);
    }
    if (this.#filled > this.#maxSize) {
      this.abandon();
      throw this.#tooLong();
    }
    if (this.#filled === buffer.size) {
      this.#buffer = undefined;
      return buffer;
    }
    const exact = this.#moveTo(this.#filled);
    this.#buffer = undefined;
    return exact;
  }

  /** Wipes and frees what was read (after a failure). Calling it again does nothing. */
  abandon(): void {
    this.#buffer?.dispose();
    this.#buffer = undefined;
  }

  #grow(): void {
    const size = this.#buffer!.size;
    if (size > this.#maxSize) throw this.#tooLong();
    this.#buffer = this.#moveTo(Math.min(size * 2, this.#maxSize + 1));
  }

  #tooLong(): MemoryProtectionError {
    return new MemoryProtectionError(
      'OUT_OF_BOUNDS',
      `${this.#what} holds more than maxSize (${this.#maxSize} bytes). Pass a larger ` +
        `{ maxSize } if it really is a secret this long. What was read was wiped.`,
    );
  }

  /** A new secret of `size` bytes holding the first #filled bytes; the old one is wiped and freed. */
  #moveTo(size: number): SecureBuffer {
    const old = this.#buffer!;
    const next = SecureBuffer.alloc(size, this.#options);
    const filled = this.#filled;
    try {
      old.use((from) => next.update((to) => to.set(from.subarray(0, filled))));
    } catch (error) {
      next.dispose();
      throw error;
    }
    old.dispose();
    return next;
  }
}
