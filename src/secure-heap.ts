// SecureHeap: many small secrets in a few guarded, locked arenas, sub-allocated by the core
// (assembly/heap.ts). This file checks options and turns statuses into errors; when freed slots
// are wiped is the wipe policy's (src/wipe-policy.ts).
import type { Host } from '../host/types.js';
import { MemoryProtectionError, invalidArgument } from './errors.js';
import { armExitWipe } from './exit-wipe.js';
import { emitWarning } from './emit-warning.js';
import { describeRegion, type RegionInfo } from './inspect.js';
import { heapSecureBuffer, type SecretOwner, type SecureBuffer } from './secure-buffer.js';
import { HeapStat, Option, Reason, Status } from './generated/core-numbers.js';
import {
  hostFromOptions,
  secretMemoryOption,
  secretMemoryPolicyOf,
  secureCoreFor,
  type SecureCore,
} from './secure-core.js';
import { byteLengthOf, fillBytes, mapGet, mapSet, newMap, setBytes } from '../shared/intrinsics.js';
import { defaultSecretMemoryPolicy } from './secret-memory-default.js';
import { defaultIsolation } from './isolation-default.js';
import { secureError } from './secure-failures.js';
import {
  checkBytes,
  checkWipeSource,
  checkLockPolicy,
  checkSecretMemoryPolicy,
  checkSize,
  describeValue,
} from './validate.js';
import { readOptions } from '../shared/options.js';
import { purgeAfter, purgeCount } from './purge-log.js';
import { creationSite, forgetLeak, watchForLeak, type LeakedThing } from './leak-reports.js';
import { EndOfTickWipe } from './wipe-policy.js';
import type { SecretMemoryPolicy } from './levels.js';

/** Options of `new SecureHeap()`. */
export interface SecureHeapOptions {
  /**
   * Bytes of slots per arena, rounded up to whole pages (default 256 KiB: 5,440 secrets of 32 bytes
   * on 4 KiB pages).
   */
  arenaSize?: number;
  /**
   * The most bytes the heap may map in all, guard pages included (default Infinity: no limit but
   * the memlock limit).
   */
  maxSize?: number;
  /**
   * `'required'` (default): growing fails with LOCK_FAILED when an arena cannot be locked;
   * `'bestEffort'`: use it unlocked (stats() shows it).
   */
  lock?: 'required' | 'bestEffort';
  /**
   * `'preferred'` (default): arenas (and dedicated regions) in secret memory (Linux memfd_secret)
   * where this machine has it, else ordinary locked pages; `'required'`: secret memory or an
   * error; `'off'`: ordinary pages. stats().secretMemoryBytes says how much it got.
   * Left out, the environment variable MEMSHIELD_SECRET_MEMORY (off | preferred | required, read
   * once at load) sets the default; an option given here wins over it.
   */
  secretMemory?: SecretMemoryPolicy;
  /**
   * `true`: every secret gets a guarded Secure region of its own instead of a slot (3 pages and 3
   * kernel mappings for a small one, a locked page each), so a view kept past use() faults when
   * touched, and one secret's scope never opens a neighbour's page. For test runs and for few,
   * valuable secrets. Left out, the environment variable MEMSHIELD_ISOLATION (on | off, read once
   * at load) sets the default (off). docs/stale-views.md says what holds in each mode.
   */
  isolation?: boolean;
  /** The host to run on (default: this platform's native host). */
  host?: Host;
}

/** What `stats()` reports. */
export interface SecureHeapStats {
  /** Live secrets. */
  live: number;
  /** Bytes the live secrets hold (their sizes). */
  usedBytes: number;
  /** Bytes of the slots they occupy (sizes rounded up to their class). */
  slotBytes: number;
  /** Bytes mapped: arenas and dedicated regions, guard pages included. */
  reservedBytes: number;
  /** Bytes locked in RAM. Below the data bytes of reservedBytes only with lock 'bestEffort'. */
  lockedBytes: number;
  /** Arenas mapped. */
  arenas: number;
  /** Secrets too large for a slot (over 1 KiB), each in a Secure region of its own. */
  dedicatedRegions: number;
  /** Freed secrets whose slots are not wiped yet (they will be by the end of the current tick). */
  pendingWipes: number;
  /** use()/update() calls of this heap's secrets now running. */
  openScopes: number;
  /** Canary damage found so far (each time a freed slot's neighbourhood was checked). */
  canaryFailures: number;
  /** Pages formatted into slots so far (the rest of the arenas is untouched). */
  formattedPages: number;
  /** The arena size in bytes. */
  arenaSize: number;
  /** The lock policy. */
  lock: 'required' | 'bestEffort';
  /** Bytes of data pages in secret memory (memfd_secret); the rest of lockedBytes is ordinary locked pages. */
  secretMemoryBytes: number;
  /** The secret-memory policy. */
  secretMemory: SecretMemoryPolicy;
  /** Every secret in a guarded region of its own (the isolation option). */
  isolation: boolean;
}

/** What `inspect()` reports: the RegionInfo of every arena (mapping, guards, kernel's view). */
export interface SecureHeapInfo {
  arenas: RegionInfo[];
}

const DEFAULT_ARENA_SIZE = 256 * 1024;

/**
 * What the leak finalizer (src/leak-reports.ts) does for a heap collected without destroy() (and
 * all its buffers with it, as they hold the heap): destroys it, its arenas wiped and unmapped.
 * Built outside the class so that nothing in it references the heap.
 */
function leakedHeap(core: SecureCore, index: number, generation: number): LeakedThing {
  return {
    what: 'a SecureHeap',
    release: 'destroy()',
    site: creationSite(),
    free() {
      if (core.exports.heapCheck(index, generation) !== Status.OK) return false;
      const status = core.exports.heapDestroy(index, generation);
      if (status !== Status.OK) emitWarning(secureError(core, status, 'destroy an unreachable SecureHeap'));
      return true;
    },
  };
}

/**
 * An allocator for many small secrets: a few guarded, locked, dump-excluded arenas, NoAccess at
 * rest, sub-allocated into slots with canaries between them. Each secret is a SecureBuffer.
 * A freed secret is wiped at the latest at the end of the current tick (or by flush(),
 * destroy() or the process-exit wipe).
 *
 * @example
 * const heap = new SecureHeap();
 * const key = heap.alloc(32);
 * key.update((view) => crypto.getRandomValues(view));
 * key.dispose();
 * heap.destroy();
 */
export class SecureHeap {
  readonly #core: SecureCore;
  readonly #index: number;
  readonly #generation: number;
  readonly #owner: SecretOwner;
  readonly #wipes: EndOfTickWipe;
  #reportedFailures = 0; // canary failures thrown to a caller so far
  #warnedFailures = 0; // … and announced as process warnings
  #destroyed = false;
  #destroyedByCall = false; // destroy() did it (not purge() or the exit wipe)
  readonly #purgesAtMaking = purgeCount(); // to tell, once gone, whether purge() did it

  /**
   * @param options - `{ arenaSize?, maxSize?, lock?, secretMemory?, isolation?, host? }`
   * @throws {MemoryProtectionError} INVALID_ARGUMENT
   */
  constructor(options?: SecureHeapOptions) {
    const opts = readOptions<SecureHeapOptions>(options, 'options', [
      'arenaSize',
      'maxSize',
      'lock',
      'secretMemory',
      'isolation',
      'host',
    ]);
    const arenaSize =
      opts.arenaSize === undefined ? DEFAULT_ARENA_SIZE : checkSize(opts.arenaSize, 'options.arenaSize');
    const maxSize =
      opts.maxSize === undefined || opts.maxSize === Number.POSITIVE_INFINITY
        ? 0
        : checkSize(opts.maxSize, 'options.maxSize');
    if (opts.isolation !== undefined && typeof opts.isolation !== 'boolean') {
      throw invalidArgument(`options.isolation must be true or false, got ${describeValue(opts.isolation)}`);
    }
    const isolated = opts.isolation ?? defaultIsolation();
    const flags =
      (checkLockPolicy(opts.lock) ? Option.LOCK_BEST_EFFORT : 0) |
      secretMemoryOption(checkSecretMemoryPolicy(opts.secretMemory, defaultSecretMemoryPolicy)) |
      (isolated ? Option.ISOLATED : 0);
    this.#core = secureCoreFor(hostFromOptions(opts.host, 'new SecureHeap'));
    const index = this.#core.exports.heapCreate(arenaSize, maxSize, flags);
    if (index < 0) throw secureError(this.#core, -index, 'create the SecureHeap');
    this.#index = index;
    this.#generation = this.#core.exports.heapCreatedGeneration() >>> 0;
    // A heap destroyed meanwhile has nothing left to wipe, and no damage left to announce.
    const alive = () => this.#core.exports.heapCheck(this.#index, this.#generation) === Status.OK;
    this.#wipes = new EndOfTickWipe({
      wipe: () => (alive() ? this.#core.exports.heapFlush(this.#index, this.#generation) : Status.OK),
      warnRefused: (status) =>
        emitWarning(secureError(this.#core, status, 'wipe the freed secrets of the SecureHeap at the end of the tick')),
      after: () => {
        if (alive()) this.#warnAboutDamage();
      },
    });
    this.#owner = { afterFree: () => this.#wipes.schedule(), destroyedByCall: () => this.#destroyedByCall };
    watchForLeak(this, leakedHeap(this.#core, index, this.#generation));
    armExitWipe();
  }

  /**
   * A new zero-filled secret of `size` bytes: a slot of up to 1 KiB, or a Secure region of its
   * own for larger ones. Usually makes no system call.
   * @throws {MemoryProtectionError} INVALID_ARGUMENT, LOCK_FAILED (growing past the memlock limit,
   * with the numbers), ALLOCATION_FAILED, USE_AFTER_FREE (destroyed heap)
   * @example
   * const key = heap.alloc(32);
   */
  alloc(size: number): SecureBuffer {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) checkSize(size);
    const core = this.#core;
    const secret = core.exports.heapAlloc(this.#index, this.#generation, size);
    if (secret < 0) throw this.#allocationError(-secret, size);
    // Damage an internal wipe found here is announced by the end-of-tick wipe that a dispose scheduled.
    return heapSecureBuffer(core, secret, core.exports.secretCreatedGeneration() >>> 0, size, this.#owner);
  }

  /**
   * Copies `bytes` into a new secret of the heap and, unless `wipeSource: false`, zeroes `bytes`.
   * A view lent by `use()` (another secret, read-only) is copied and not wiped.
   * @throws {MemoryProtectionError} as alloc()
   * @example
   * const token = heap.from(new TextEncoder().encode(apiToken));
   */
  from(bytes: Uint8Array, options?: { wipeSource?: boolean }): SecureBuffer {
    // The options first: a Proxy's traps must not run between the check of `bytes` and their copy.
    const opts = readOptions<{ wipeSource?: boolean }>(options, 'options', ['wipeSource']);
    const source = checkBytes(bytes, 'bytes');
    const size = byteLengthOf(source);
    if (size === 0)
      throw invalidArgument(
        'heap.from needs at least one byte, got an empty Uint8Array (or one whose buffer was detached)',
      );
    const wipe = checkWipeSource(opts.wipeSource, source);
    const buffer = this.alloc(size);
    try {
      buffer.update((view) => setBytes(view, source));
    } catch (error) {
      buffer.dispose(); // undo: nothing half made stays behind
      throw error;
    }
    if (wipe) fillBytes(source, 0);
    return buffer;
  }

  /** Totals of this heap, from the core's bookkeeping (tests check them against /proc/self/smaps). */
  stats(): SecureHeapStats {
    this.#live('read the stats of the SecureHeap');
    return this.#readStats();
  }

  /** The stats, without checking the handle (the caller has). */
  #readStats(): SecureHeapStats {
    const stat = (name: keyof typeof HeapStat) => this.#core.exports.heapStat(this.#index, HeapStat[name]);
    return {
      live: stat('live'),
      usedBytes: stat('usedBytes'),
      slotBytes: stat('slotBytes'),
      reservedBytes: stat('reservedBytes'),
      lockedBytes: stat('lockedBytes'),
      arenas: stat('arenas'),
      dedicatedRegions: stat('dedicated'),
      pendingWipes: stat('pending'),
      openScopes: stat('openScopes'),
      canaryFailures: stat('canaryFailures'),
      formattedPages: stat('formattedPages'),
      arenaSize: stat('arenaPages') * this.#core.host.pageSize(),
      lock: stat('lockBestEffort') === 1 ? 'bestEffort' : 'required',
      secretMemoryBytes: stat('secretBytes'),
      secretMemory: secretMemoryPolicyOf(stat('secretPolicy')),
      isolation: stat('isolated') === 1,
    };
  }

  /** The RegionInfo of every arena: addresses, guards and (on Linux) the kernel's own view. */
  inspect(): SecureHeapInfo {
    this.#live('inspect the SecureHeap');
    const arenas: RegionInfo[] = [];
    for (let k = 0; ; k++) {
      const region = this.#core.exports.heapArenaRegion(this.#index, k);
      if (region < 0) break;
      arenas.push(describeRegion(this.#core.exports, this.#core.host, region));
    }
    return { arenas };
  }

  /**
   * Wipes every freed secret now and checks the canaries around them (otherwise done at the end
   * of the current tick).
   * @throws {MemoryProtectionError} CANARY_CORRUPTED if damage was found (by this or an earlier
   * wipe), PROTECTION_FAILED
   */
  flush(): void {
    this.#live('flush the SecureHeap');
    const status = this.#core.exports.heapFlush(this.#index, this.#generation);
    if (status !== Status.OK) throw secureError(this.#core, status, 'wipe the freed secrets of the SecureHeap');
    this.#throwDamage();
  }

  /**
   * Wipes freed secrets, then unmaps every arena that holds no live secret (giving its locked
   * memory back). The next allocation maps a new arena if it needs one.
   * @throws {MemoryProtectionError} CANARY_CORRUPTED (after releasing), PROTECTION_FAILED, FREE_FAILED
   */
  trim(): void {
    this.#live('trim the SecureHeap');
    const status = this.#core.exports.heapTrim(this.#index, this.#generation);
    if (status !== Status.OK && status !== Status.CANARY_CORRUPTED)
      throw secureError(this.#core, status, 'trim the SecureHeap');
    this.#throwDamage();
  }

  /**
   * Wipes every secret of the heap (live ones too: their SecureBuffers then throw USE_AFTER_FREE),
   * checks every canary, and unmaps every arena. Calling it again does nothing.
   * @throws {MemoryProtectionError} CANARY_CORRUPTED (after everything is wiped and unmapped),
   * ACCESS_DENIED inside a use()/update() of one of its secrets
   */
  destroy(): void {
    if (this.#destroyed) return;
    const core = this.#core;
    const check = core.exports.heapCheck(this.#index, this.#generation);
    if (check !== Status.OK) {
      this.#destroyed = true;
      return;
    } // already gone with the exit wipe
    const failuresBefore = core.exports.heapStat(this.#index, HeapStat.canaryFailures);
    const arenaAddresses = this.#arenaAddresses(); // for the message: the arenas are gone after
    const status = core.exports.heapDestroy(this.#index, this.#generation);
    if (status === Status.ACCESS_DENIED) throw secureError(core, status, 'destroy the SecureHeap');
    this.#destroyed = true;
    this.#destroyedByCall = true;
    forgetLeak(this);
    if (status === Status.CANARY_CORRUPTED || failuresBefore > this.#reportedFailures) {
      const damage = this.#damageDescription(arenaAddresses);
      throw new MemoryProtectionError(
        'CANARY_CORRUPTED',
        `destroy the SecureHeap: canary bytes between its secrets were ` +
          `overwritten${damage}, so something wrote outside a secret's ` +
          `bounds (a buffer overflow in native code). Every secret ` +
          `was still wiped and every arena unmapped; find the writer.`,
      );
    }
    if (status !== Status.OK) throw secureError(core, status, 'destroy the SecureHeap');
  }

  /**
   * The same as {@link SecureHeap.destroy}, for `using`: when the block that declared the heap
   * ends, every secret of the heap is wiped — live ones too, whatever still holds them — and every
   * arena unmapped. Declare the heap in the block that outlives all its secrets.
   * @example
   * { using heap = new SecureHeap(); const key = heap.alloc(32); … } // key is wiped here too
   */
  [Symbol.dispose](): void {
    this.destroy();
  }

  /** True once destroyed (by destroy(), purge() or the process-exit wipe). */
  get destroyed(): boolean {
    if (!this.#destroyed && this.#core.exports.heapCheck(this.#index, this.#generation) !== Status.OK)
      this.#destroyed = true;
    return this.#destroyed;
  }

  /** A description without secrets. */
  toString(): string {
    if (this.#destroyed) return 'SecureHeap(destroyed)';
    return `SecureHeap(${this.#core.exports.heapStat(this.#index, HeapStat.live)} live)`;
  }

  #live(action: string): void {
    if (!this.#destroyed) {
      const status = this.#core.exports.heapCheck(this.#index, this.#generation);
      if (status === Status.OK) return;
      this.#destroyed = true;
    }
    const purgedAt = this.#destroyedByCall ? undefined : purgeAfter(this.#purgesAtMaking);
    if (purgedAt !== undefined) {
      throw new MemoryProtectionError(
        'USE_AFTER_FREE',
        `cannot ${action}: it was purged by purge() at ${purgedAt} (every ` +
          `secret wiped, every arena unmapped). Make a new SecureHeap.`,
      );
    }
    if (this.#destroyedByCall)
      throw new MemoryProtectionError(
        'USE_AFTER_FREE',
        `cannot ${action}: it was already destroyed. Make a new SecureHeap.`,
      );
    throw secureError(this.#core, Status.USE_AFTER_FREE, action, Reason.NOT_A_HEAP);
  }

  #failures(): number {
    return this.#core.exports.heapStat(this.#index, HeapStat.canaryFailures);
  }

  /** The base address of each arena, by its region slot. */
  #arenaAddresses(): Map<number, bigint> {
    const addresses = newMap<number, bigint>();
    for (let k = 0; ; k++) {
      const region = this.#core.exports.heapArenaRegion(this.#index, k);
      if (region < 0) return addresses;
      mapSet(addresses, region, this.#core.host.address(this.#core.exports.regionHostId(region)));
    }
  }

  /** " (the first at address 0x…, in the arena mapped at 0x…)" for messages, or "" when unknown. */
  #damageDescription(addresses = this.#arenaAddresses()): string {
    const region = this.#core.exports.heapStat(this.#index, HeapStat.damagedRegion);
    const base = mapGet(addresses, region);
    if (base === undefined) return '';
    const offset = this.#core.exports.heapStat(this.#index, HeapStat.damagedOffset);
    return (
      ` (the first at address 0x${(base + BigInt(offset)).toString(16)}, ` +
      `in the arena mapped at 0x${base.toString(16)})`
    );
  }

  #damageError(action: string): MemoryProtectionError {
    const count = this.#failures() - this.#reportedFailures;
    return new MemoryProtectionError(
      'CANARY_CORRUPTED',
      `${action}: ${count} canary check${count === 1 ? '' : 's'} around ` +
        `freed secrets failed${this.#damageDescription()}: something wrote ` +
        `outside a secret's bounds (a buffer overflow in native code). The ` +
        `secrets were still wiped and the canaries restored; find the writer.`,
    );
  }

  /** Damage found outside a call that can throw it (end-of-tick wipe, alloc): a process warning. */
  #warnAboutDamage(): void {
    const failures = this.#failures();
    if (failures > this.#warnedFailures && failures > this.#reportedFailures) {
      this.#warnedFailures = failures;
      emitWarning(this.#damageError('SecureHeap'));
    }
  }

  /** Throws damage not thrown yet (flush, trim). */
  #throwDamage(): void {
    if (this.#failures() > this.#reportedFailures) {
      const error = this.#damageError('wipe the freed secrets of the SecureHeap');
      this.#reportedFailures = this.#failures();
      throw error;
    }
  }

  #allocationError(status: number, size: number): MemoryProtectionError {
    if (status === Status.USE_AFTER_FREE) {
      // Gone: #live says how (destroy, purge, exit wipe); a heap purge() deferred is still live.
      if (this.#core.exports.failureReason() !== Reason.PURGED) this.#live(`allocate ${size} bytes in the SecureHeap`);
      return secureError(this.#core, status, `allocate ${size} bytes in the SecureHeap`);
    }
    const stats = this.#readStats();
    return secureError(
      this.#core,
      status,
      `allocate ${size} bytes in the SecureHeap (${stats.live} secrets live, ${stats.arenas} ` +
        `arenas of ${stats.arenaSize} bytes, ${stats.lockedBytes} bytes locked by this heap)`,
    );
  }
}
