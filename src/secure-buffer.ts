// SecureBuffer: one secret, NoAccess at rest, readable or writable only inside a scoped call,
// wiped on dispose. Standalone buffers (from/alloc) live in a Secure region of their own; heap
// buffers (SecureHeap.alloc) in a slot of an arena. The handle lives in private fields.
import type { Host } from '../host/types.js';
import { MemoryProtectionError, invalidArgument } from './errors.js';
import { emitWarning } from './emit-warning.js';
import { armExitWipe } from './exit-wipe.js';
import { describeRegion, type RegionInfo } from './inspect.js';
import { PROTECTION_LEVELS, type SecretMemoryPolicy } from './levels.js';
import {
  runScoped,
  secretLocation,
  type ScopedResult,
  type ScopedView,
  type SecretLocation,
  type SyncResult,
} from './scoped-access.js';
import { Protection } from '../host/types.js';
import { Option, Reason, SecretField, Status } from './generated/core-numbers.js';
import { hostFromOptions, secretMemoryOption, secureCoreFor, type SecureCore } from './secure-core.js';
import { byteLengthOf, fillBytes, freeze } from '../shared/intrinsics.js';
import { defaultSecretMemoryPolicy } from './secret-memory-default.js';
import { secureError } from './secure-failures.js';
import { checkBytes, checkWipeSource, checkLockPolicy, checkSecretMemoryPolicy, checkSize } from './validate.js';
import { readOptions } from '../shared/options.js';
import { purgeAfter, purgeCount } from './purge-log.js';
import { creationSite, watchForLeak, type LeakedThing } from './leak-reports.js';

/** Options of `SecureBuffer.alloc`. */
export interface SecureBufferOptions {
  /**
   * `'required'` (default): LOCK_FAILED if the page cannot be locked; `'bestEffort'`: accept it
   * unlocked (inspect() says so).
   */
  lock?: 'required' | 'bestEffort';
  /**
   * `'preferred'` (default): the page comes from secret memory (Linux memfd_secret: out of the
   * kernel's direct map, unreadable through /proc/pid/mem and ptrace) where this machine has it,
   * else ordinary locked pages; `'required'`: secret memory or an error; `'off'`: ordinary pages.
   * `inspect().backing` says which it got. See docs/secret-memory.md.
   * Left out, the environment variable MEMSHIELD_SECRET_MEMORY (off | preferred | required, read
   * once at load) sets the default; an option given here wins over it.
   */
  secretMemory?: SecretMemoryPolicy;
  /** The host to allocate on (default: this platform's native host). */
  host?: Host;
}

/** Options of `SecureBuffer.from`. */
export interface SecureBufferFromOptions extends SecureBufferOptions {
  /** Zero the source bytes after copying them in (default true). */
  wipeSource?: boolean;
}

/** What `inspect()` reports: the RegionInfo of the memory holding the secret. */
export interface SecureBufferInfo extends RegionInfo {
  /** `region`: a Secure region of its own; `heapSlot`: a slot in a SecureHeap arena. */
  placement: 'region' | 'heapSlot';
  /** Bytes set aside for it: the slot size, or the size for a region of its own. */
  slotSize: number;
  /** use()/update() calls of this buffer still running. */
  openScopes: number;
}

/** What a heap does when one of its buffers is disposed (schedules the wipe of the slot). */
export interface SecretOwner {
  afterFree(): void;
  /** True once the heap was destroyed by its own destroy() (not by purge() or the exit wipe). */
  destroyedByCall(): boolean;
}

const CONSTRUCTION = Symbol('memshield.SecureBuffer');

/**
 * What the leak finalizer (src/leak-reports.ts) holds for a buffer and does if it is collected
 * without dispose(): frees its secret (a region: wiped and unmapped now; a heap slot: wiped by the
 * heap's end-of-tick wipe). A class, not closures: one small object per buffer (heap.alloc is
 * sub-microsecond), and nothing in it references the buffer.
 */
class LeakedBuffer implements LeakedThing {
  readonly site = creationSite();
  constructor(
    readonly core: SecureCore,
    readonly index: number,
    readonly generation: number,
    readonly size: number,
    readonly owner: SecretOwner | undefined,
  ) {}

  get what(): string {
    return `a SecureBuffer of ${this.size} bytes${this.owner ? ' (in a SecureHeap)' : ''}`;
  }

  get release(): string {
    return 'dispose()';
  }

  free(): boolean {
    const { core, index, generation } = this;
    if (core.exports.secretCheck(index, generation) !== Status.OK) return false; // disposed, purged, its heap destroyed
    const status = core.exports.secretFree(index, generation);
    if (status === Status.CANARY_CORRUPTED)
      emitWarning(secureError(core, status, 'dispose an unreachable SecureBuffer'));
    this.owner?.afterFree();
    return true;
  }
}
// Node's util.inspect (and console.log) call the method under this registered symbol.
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/**
 * A secret in locked, guarded memory that is NoAccess at rest (the specification's
 * "MemoryProtection system"). Read it inside {@link SecureBuffer.use}, change it inside
 * {@link SecureBuffer.update}, and {@link SecureBuffer.dispose} it when done (or `using`).
 *
 * @example
 * const key = SecureBuffer.from(crypto.getRandomValues(new Uint8Array(32)));
 * const tag = key.use((view) => createHmac('sha256', view).update(message).digest());
 * key.dispose();
 */
export class SecureBuffer {
  readonly #secret: SecretLocation;
  readonly #owner: SecretOwner | undefined;
  readonly #purgesAtMaking = purgeCount(); // to tell, once freed, whether purge() did it
  #disposed = false;
  #disposedByCall = false; // dispose() freed it (not purge(), its heap or the exit wipe)

  /** @internal Use SecureBuffer.from, SecureBuffer.alloc or SecureHeap.alloc. */
  constructor(token: symbol, core: SecureCore, index: number, generation: number, size: number, owner?: SecretOwner) {
    if (token !== CONSTRUCTION)
      throw new TypeError(
        'SecureBuffer has no public constructor: use SecureBuffer.from(bytes), ' +
          'SecureBuffer.alloc(size) or heap.alloc(size)',
      );
    this.#secret = secretLocation(core, index, generation, size);
    this.#owner = owner;
    // Dropped without dispose(): wiped, freed and reported when the garbage collector finds it.
    watchForLeak(this, new LeakedBuffer(core, index, generation, size, owner));
    // Frozen, like Region: no own property (an own `use`, `size`, `disposed`...) can be planted on
    // a buffer. The private fields stay writable; nothing inside relies on the public ones.
    freeze(this);
  }

  /**
   * Copies `bytes` into a new SecureBuffer (a Secure region of its own) and, unless
   * `wipeSource: false`, zeroes `bytes`. A view lent by `use()` (another secret, read-only) is
   * copied and not wiped: its own SecureBuffer wipes it on dispose.
   * @param bytes - the secret, 1 byte or more
   * @param options - `{ wipeSource?, lock?, host? }`
   * @returns a SecureBuffer holding a copy of `bytes`
   * @throws {MemoryProtectionError} INVALID_ARGUMENT, LOCK_FAILED (with the memlock numbers),
   * ALLOCATION_FAILED, ACCESS_DENIED (`wipeSource: true` on a view lent by use(), or a view whose
   * use() has returned)
   * @example
   * const password = SecureBuffer.from(new TextEncoder().encode(input)); // the encoded copy is
   * zeroed; the string input itself cannot be wiped
   */
  static from(bytes: Uint8Array, options?: SecureBufferFromOptions): SecureBuffer {
    // The options first: reading them may run caller code (a Proxy's traps, a host's getters), which must not
    // run between the check of `bytes` and their copy (it could detach or shrink their buffer).
    const opts = readOptions<SecureBufferFromOptions>(options, 'options', [
      'wipeSource',
      'lock',
      'secretMemory',
      'host',
    ]);
    const flags =
      (checkLockPolicy(opts.lock) ? Option.LOCK_BEST_EFFORT : 0) |
      secretMemoryOption(checkSecretMemoryPolicy(opts.secretMemory, defaultSecretMemoryPolicy));
    const core = secureCoreFor(hostFromOptions(opts.host, 'SecureBuffer.from'));
    const source = checkBytes(bytes, 'bytes');
    const size = byteLengthOf(source);
    if (size === 0)
      throw invalidArgument(
        'SecureBuffer.from needs at least one byte, got an empty Uint8Array (or one whose buffer was detached)',
      );
    const wipe = checkWipeSource(opts.wipeSource, source);
    const index = core.withStaged(source, () => core.exports.secretCreate(size, 1, flags));
    if (index < 0) throw secureError(core, -index, `copy ${size} bytes into a SecureBuffer`);
    if (wipe) fillBytes(source, 0);
    return SecureBuffer.#standalone(core, index, size);
  }

  /**
   * A new zero-filled SecureBuffer of `size` bytes (a Secure region of its own).
   * @throws {MemoryProtectionError} INVALID_ARGUMENT, LOCK_FAILED, ALLOCATION_FAILED
   * @example
   * const key = SecureBuffer.alloc(32);
   * key.update((view) => crypto.getRandomValues(view));
   */
  static alloc(size: number, options?: SecureBufferOptions): SecureBuffer {
    checkSize(size);
    const opts = readOptions<SecureBufferOptions>(options, 'options', ['lock', 'secretMemory', 'host']);
    const flags =
      (checkLockPolicy(opts.lock) ? Option.LOCK_BEST_EFFORT : 0) |
      secretMemoryOption(checkSecretMemoryPolicy(opts.secretMemory, defaultSecretMemoryPolicy));
    const core = secureCoreFor(hostFromOptions(opts.host, 'SecureBuffer.alloc'));
    const index = core.exports.secretCreate(size, 0, flags);
    if (index < 0) throw secureError(core, -index, `allocate a SecureBuffer of ${size} bytes`);
    return SecureBuffer.#standalone(core, index, size);
  }

  /** Wraps a secret just made in a region of its own; it is disposed if dropped undisposed. */
  static #standalone(core: SecureCore, index: number, size: number): SecureBuffer {
    const buffer = new SecureBuffer(CONSTRUCTION, core, index, core.exports.secretCreatedGeneration() >>> 0, size);
    armExitWipe();
    return buffer;
  }

  /** The secret's length in bytes (still readable after dispose). */
  get size(): number {
    return this.#secret.size;
  }

  /** True once disposed (by dispose(), its heap's destroy(), purge(), or the process-exit wipe). */
  get disposed(): boolean {
    return this.#isDisposed();
  }

  #isDisposed(): boolean {
    if (
      !this.#disposed &&
      this.#secret.core.exports.secretCheck(this.#secret.index, this.#secret.generation) !== Status.OK
    )
      this.#disposed = true;
    return this.#disposed;
  }

  /**
   * Calls `fn` with a read-only view of the secret; the pages are readable during the call only.
   * The view must not outlive the call: touched afterwards it faults (SIGSEGV). Writing to it
   * faults too. Calls nest; the pages close when the outermost returns or throws.
   * @param fn - a synchronous callback; its result is returned. Its types refuse a callback that
   *   returns a promise or the view itself (a compile error naming the reason).
   * @throws {MemoryProtectionError} USE_AFTER_FREE, INVALID_ARGUMENT (async callback), PROTECTION_FAILED
   * @example
   * const same = key.use((view) => view[0] === 1);
   */
  use<T>(fn: (view: ScopedView) => ScopedResult<T>): T {
    this.#live('use() the SecureBuffer');
    return runScoped(this.#secret, Protection.ReadOnly, fn as (view: Uint8Array) => T, 'use');
  }

  /**
   * Calls `fn` with a writable view of the secret; the pages are writable during the call only.
   * @param fn - a synchronous callback; its result is returned. Its types refuse a callback that
   *   returns a promise (a compile error naming the reason).
   * @throws {MemoryProtectionError} USE_AFTER_FREE, INVALID_ARGUMENT (async callback), PROTECTION_FAILED
   * @example
   * key.update((view) => crypto.getRandomValues(view));
   */
  update<T>(fn: (view: Uint8Array) => SyncResult<T>): T {
    this.#live('update() the SecureBuffer');
    return runScoped(this.#secret, Protection.ReadWrite, fn as (view: Uint8Array) => T, 'update');
  }

  /**
   * Compares with another secret or bytes in constant time (for equal lengths; a different
   * length returns false at once: lengths are not secret).
   * @param other - a SecureBuffer or a Uint8Array
   * @throws {MemoryProtectionError} USE_AFTER_FREE (either buffer), INVALID_ARGUMENT
   * @example
   * if (!tag.equals(received)) throw new Error('bad tag');
   */
  equals(other: SecureBuffer | Uint8Array): boolean {
    this.#live('compare the SecureBuffer');
    if (typeof other === 'object' && other !== null && #secret in other) {
      // a brand check: no Proxy trap runs
      // Only the other buffer's private state and the internal scoped access from here on: a
      // property of `other` (an own or inherited `use`, `size`, `disposed`) would run caller code
      // inside this buffer's open read-only scope, where it could keep the view.
      other.#live('compare with the other SecureBuffer');
      const mySecret = this.#secret;
      const theirSecret = other.#secret;
      if (theirSecret.size !== mySecret.size) return false;
      if (other === this) return true;
      return runScoped(
        mySecret,
        Protection.ReadOnly,
        (mine) => runScoped(theirSecret, Protection.ReadOnly, (theirs) => constantTimeEqual(mine, theirs), 'use'),
        'use',
      );
    }
    const bytes = checkBytes(other, 'equals(other): other, when not a SecureBuffer,');
    const mySecret = this.#secret;
    if (byteLengthOf(bytes) !== mySecret.size) return false;
    return runScoped(mySecret, Protection.ReadOnly, (mine) => constantTimeEqual(mine, bytes), 'use');
  }

  /**
   * What memshield and (on Linux) the kernel say about the memory holding the secret: the
   * RegionInfo of its region — for a heap buffer, its arena, with `data` and `dataPages` narrowed
   * to its slot and its page, and `protection` that page's.
   * @throws {MemoryProtectionError} USE_AFTER_FREE
   */
  inspect(): SecureBufferInfo {
    this.#live('inspect the SecureBuffer');
    const { core, index } = this.#secret;
    const field = (name: keyof typeof SecretField) => core.exports.secretField(index, SecretField[name]);
    const info = describeRegion(core.exports, core.host, field('region'));
    const inSlot = field('inSlot') === 1;
    const placement: SecureBufferInfo['placement'] = inSlot ? 'heapSlot' : 'region';
    const extra = { placement, slotSize: field('slotSize'), openScopes: field('openCount') };
    if (!inSlot) return { ...info, ...extra };
    const base = info.mapping.address;
    const narrow = (offset: number, length: number) => {
      const address = base + BigInt(offset);
      const end = address + BigInt(length);
      const kernel = info.mapping.kernel?.filter((entry) => entry.start < end && entry.end > address);
      return kernel ? { address, length, kernel } : { address, length };
    };
    return {
      ...info,
      ...extra,
      protection: PROTECTION_LEVELS[field('protection')],
      size: this.size,
      align: 16,
      dataPages: narrow(field('pagesOffset'), field('pagesLength')),
      data: narrow(field('dataOffset'), this.size),
    };
  }

  /**
   * Wipes the secret and gives its memory back: a region of its own is wiped, its canary
   * checked, unlocked and unmapped now; a heap slot is wiped and checked by the heap's next
   * flush (at the latest at the end of the current tick). Calling it again does nothing.
   * @throws {MemoryProtectionError} CANARY_CORRUPTED (after wiping and unmapping), ACCESS_DENIED
   * inside its own use()/update()
   */
  dispose(): void {
    if (this.#disposed) return;
    const { core, index, generation } = this.#secret;
    const status = core.exports.secretFree(index, generation);
    if (status === Status.DOUBLE_FREE || status === Status.USE_AFTER_FREE) {
      this.#disposed = true; // already wiped by its heap's destroy(), purge() or the exit wipe
      return;
    }
    if (status !== Status.OK && status !== Status.CANARY_CORRUPTED)
      throw secureError(core, status, 'dispose the SecureBuffer');
    this.#disposed = true;
    this.#disposedByCall = true;
    // Still watched for leaks: unregistering costs as much as the rest of a heap dispose, and the
    // finalizer finds this handle freed (generations never repeat) and reports nothing.
    if (this.#owner) this.#owner.afterFree();
    if (status === Status.CANARY_CORRUPTED)
      throw secureError(core, status, `dispose the SecureBuffer of ${this.size} bytes`);
  }

  /**
   * The same as {@link SecureBuffer.dispose}, for `using`: the secret is wiped when the block that
   * declared it ends, however it ends.
   * @example
   * { using key = SecureBuffer.alloc(32); key.update((view) => crypto.getRandomValues(view)); }
   */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** A description that never includes the secret. */
  toString(): string {
    return `SecureBuffer(${this.size} bytes${this.#disposed ? ', disposed' : ''})`;
  }

  /**
   * What `util.inspect` and `console.log` show: the size and the state, never the bytes, e.g.
   * `SecureBuffer(32 bytes, at rest)`, `SecureBuffer(32 bytes, open for use/update)`,
   * `SecureBuffer(32 bytes, disposed)`.
   */
  [inspectSymbol](): string {
    if (this.disposed) return `SecureBuffer(${this.size} bytes, disposed)`;
    const open = this.#secret.core.exports.secretField(this.#secret.index, SecretField.openCount) > 0;
    return `SecureBuffer(${this.size} bytes, ${open ? 'open for use/update' : 'at rest'})`;
  }

  /** JSON never carries the secret either. */
  toJSON(): { type: 'SecureBuffer'; size: number } {
    return { type: 'SecureBuffer', size: this.size };
  }

  /** Refuses a buffer whose secret is gone, saying what ended it (dispose, purge, heap, exit wipe). */
  #live(action: string): void {
    if (!this.#disposed) {
      const status = this.#secret.core.exports.secretCheck(this.#secret.index, this.#secret.generation);
      if (status === Status.OK) return;
      if (status !== Status.USE_AFTER_FREE) throw secureError(this.#secret.core, status, action, Reason.NOT_A_SECRET);
      this.#disposed = true;
    }
    throw this.#endedError(action);
  }

  #endedError(action: string): MemoryProtectionError {
    const prefix = `cannot ${action}`;
    if (this.#disposedByCall)
      return new MemoryProtectionError(
        'USE_AFTER_FREE',
        `${prefix}: it was already disposed. Keep using a secret only until dispose().`,
      );
    const purgedAt = this.#owner?.destroyedByCall() ? undefined : purgeAfter(this.#purgesAtMaking);
    if (purgedAt !== undefined) {
      return new MemoryProtectionError(
        'USE_AFTER_FREE',
        `${prefix}: it was purged by purge() at ${purgedAt} (wiped ` +
          `and unmapped with every other secret). Make a new one.`,
      );
    }
    return new MemoryProtectionError(
      'USE_AFTER_FREE',
      `${prefix}: it was already wiped ` +
        `${this.#owner ? "by its heap's destroy()" : ''}${this.#owner ? ' or ' : 'by '}the ` +
        `process-exit wipe. Keep using a secret only while it and its heap live.`,
    );
  }
}

/** Equality of equal-length byte arrays without an early exit. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = 0;
  const length = byteLengthOf(a);
  for (let i = 0; i < length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

/** @internal For SecureHeap: wraps a secret the core made in a heap. */
export function heapSecureBuffer(
  core: SecureCore,
  index: number,
  generation: number,
  size: number,
  owner: SecretOwner,
): SecureBuffer {
  return new SecureBuffer(CONSTRUCTION, core, index, generation, size, owner);
}
