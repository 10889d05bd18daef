// PlatformMemory: the specification's API over one host. Checks JS values, asks the core,
// turns statuses into MemoryProtectionError.
import type { Host } from '../host/types.js';
import { bindCore } from './core.js';
import { Field, Option, Reason, RegionFlag, Status } from './generated/core-numbers.js';
import { MemoryProtectionError, invalidArgument } from './errors.js';
import { errorFromStatus } from './failures.js';
import { byteLengthOf, indexIn, weakSet } from '../shared/intrinsics.js';
import type { SecureCoreExports } from './core-exports.js';
import { describeRegion, type RegionInfo } from './inspect.js';
import {
  ALLOCATION_TYPES,
  AllocationType,
  MemoryProtectionLevel,
  PROTECTION_LEVELS,
  type AllocationType as AllocationTypeValue,
  type MemoryProtectionLevel as Level,
  type SecretMemoryPolicy,
} from './levels.js';
import { REGION_TOKEN, Region, findHandle, type RegionHandle, type RegionOwner } from './region.js';
import {
  checkAlign,
  checkBytes,
  checkGuardPages,
  checkIndex,
  checkLockPolicy,
  checkProtection,
  checkSecretMemoryPolicy,
  checkSize,
  checkType,
  describeValue,
  isHost,
} from './validate.js';
import { readOptions } from '../shared/options.js';
import { purgeAfter, purgeCount } from './purge-log.js';

/** Captured at load: a Uint8Array replaced later is never given the bytes read. */
const NativeUint8Array = Uint8Array;

/** Options of `allocate`. */
export interface AllocateOptions {
  /**
   * For Secure allocations: `'required'` (default) fails with LOCK_FAILED if the pages cannot be
   * locked; `'bestEffort'` returns an unlocked region instead (`region.locked` and `inspect` say so).
   */
  lock?: 'required' | 'bestEffort';
  /**
   * For Secure allocations: back the data pages with secret memory (Linux memfd_secret: out of
   * the kernel's direct map, unreadable through /proc/pid/mem and ptrace). `'off'` (default here:
   * such pages cannot be unlocked, and debuggers cannot read them), `'preferred'` (where this
   * machine has it) or `'required'`. See docs/secret-memory.md.
   */
  secretMemory?: SecretMemoryPolicy;
}

/** Options of `allocateWithGuardPages`. */
export interface GuardedAllocateOptions extends AllocateOptions {
  /** Protection of the data pages (default ReadWrite). */
  protection?: Level;
  /** Regular (default: guards and canaries only), Secure (also locked, dump- and fork-excluded) or LargePage. */
  type?: AllocationTypeValue;
}

/** Totals over a PlatformMemory's live regions. */
export interface PlatformMemoryStats {
  liveRegions: number;
  /** Bytes mapped, guards included. */
  mappedBytes: number;
  /** Bytes locked in RAM. */
  lockedBytes: number;
}

/** The specification's PlatformMemory API. All methods are synchronous. */
export interface PlatformMemory {
  /** The system page size in bytes. */
  pageSize(): number;
  /**
   * Maps a new region of `size` bytes whose data address is a multiple of `align`.
   * @param size - bytes, an integer from 1 to 2^47
   * @param align - a power of two up to 1 GiB
   * @param protection - the data pages' protection
   * @param type - Regular, Secure (guard pages, canary, locked, not dumped or forked) or LargePage
   * @param options - `{ lock: 'bestEffort' }` to accept an unlocked Secure region
   * @returns the region; its bytes are reached through `write` and `read`
   * @throws {MemoryProtectionError} INVALID_ARGUMENT, ALLOCATION_FAILED, LOCK_FAILED, NOT_SUPPORTED
   * @example
   * const region = PlatformMemory.allocate(4096, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
   */
  allocate(
    size: number,
    align: number,
    protection: Level,
    type: AllocationTypeValue,
    options?: AllocateOptions,
  ): Region;
  /**
   * Wipes the data, checks the canary, and unmaps the region. Secure: every data page. Regular and
   * LargePage: the pages of the range ever written through `write()` (and the canary's); bytes
   * native code wrote elsewhere through the address from `inspect()` are not wiped.
   * @throws {MemoryProtectionError} DOUBLE_FREE, CANARY_CORRUPTED (after wiping and unmapping), INVALID_ARGUMENT
   */
  free(region: Region): void;
  /**
   * Changes the data pages' protection. Changing to the current level makes no system call.
   * @throws {MemoryProtectionError} PROTECTION_FAILED, USE_AFTER_FREE, INVALID_ARGUMENT
   */
  protect(region: Region, protection: Level): void;
  /**
   * Locks the data pages in RAM (no swapping). Locking twice makes no system call.
   * @throws {MemoryProtectionError} LOCK_FAILED with the memlock limit in the message
   */
  lock(region: Region): void;
  /**
   * Unlocks the data pages. Unlocking an unlocked region makes no system call.
   * @throws {MemoryProtectionError} UNLOCK_FAILED, USE_AFTER_FREE, NOT_SUPPORTED (secret memory stays locked)
   */
  unlock(region: Region): void;
  /**
   * Zeroes the data bytes (not the canary slack), whatever the protection: closed pages are
   * opened for the wipe and closed again. Regular and LargePage: only the range ever written
   * through `write()`; bytes native code wrote elsewhere through the `inspect()` address stay.
   * @throws {MemoryProtectionError} PROTECTION_FAILED, USE_AFTER_FREE
   */
  secureClear(region: Region): void;
  /**
   * Copies `data` into the region at `offset`. Needs ReadWrite (or ReadWriteExecute).
   * @throws {MemoryProtectionError} ACCESS_DENIED, OUT_OF_BOUNDS, USE_AFTER_FREE, INVALID_ARGUMENT
   * @example
   * PlatformMemory.write(region, new Uint8Array([1, 2, 3]), 0);
   */
  write(region: Region, data: Uint8Array, offset?: number): void;
  /**
   * Copies `length` bytes at `offset` out of the region into a new Uint8Array. Needs a readable level.
   * @throws {MemoryProtectionError} ACCESS_DENIED, OUT_OF_BOUNDS, USE_AFTER_FREE, INVALID_ARGUMENT
   */
  read(region: Region, offset?: number, length?: number): Uint8Array;
  /**
   * Copies region bytes at `offset` into `target`, as many as it holds, without allocating: the
   * fast path for large or repeated reads (a new 1 MiB array costs far more than the copy).
   * Needs a readable level.
   * @param target - the Uint8Array (or Buffer) to fill; its whole real length is read
   * @throws {MemoryProtectionError} ACCESS_DENIED, OUT_OF_BOUNDS, USE_AFTER_FREE, INVALID_ARGUMENT
   * @example
   * const key = new Uint8Array(32);
   * PlatformMemory.readInto(region, key, 0);
   */
  readInto(region: Region, target: Uint8Array, offset?: number): void;
  /**
   * Maps `size` bytes between `guardPagesBefore` and `guardPagesAfter` NoAccess guard pages, the
   * data placed against the trailing guard as closely as `align` allows, canaries in the slack.
   * @throws {MemoryProtectionError} INVALID_ARGUMENT (e.g. no guard page at all), ALLOCATION_FAILED
   * @example
   * const region = PlatformMemory.allocateWithGuardPages(4096, 1, 1, 8);
   */
  allocateWithGuardPages(
    size: number,
    guardPagesBefore: number,
    guardPagesAfter: number,
    align: number,
    options?: GuardedAllocateOptions,
  ): Region;
  /**
   * Frees a region made with guard pages (`allocateWithGuardPages` or Secure), like `free`.
   * @throws {MemoryProtectionError} INVALID_ARGUMENT for a region without guard pages
   */
  freeGuardedMemory(region: Region): void;
  /** What memshield and (on Linux) the kernel say about a region. */
  inspect(region: Region): RegionInfo;
  /** Totals over the live regions. */
  stats(): PlatformMemoryStats;
}

/** The core's option bits for a secretMemory policy; only a Secure allocation may ask for it. */
function secretMemoryFlags(value: unknown, type: number): number {
  const policy = checkSecretMemoryPolicy(value, 'off');
  if (policy === 'off') return 0;
  if (ALLOCATION_TYPES[type] !== AllocationType.Secure) {
    throw invalidArgument(
      `secretMemory applies to Secure allocations only, got type ` +
        `${ALLOCATION_TYPES[type]}; leave it out or use AllocationType.Secure`,
    );
  }
  return policy === 'required' ? Option.SECRET_REQUIRED : Option.SECRET_PREFERRED;
}

function describeSize(size: unknown, type: unknown): string {
  return (
    `${typeof size === 'number' ? size : '?'} bytes ` +
    `(${indexIn(ALLOCATION_TYPES, type) >= 0 || type === 'guarded' ? type : describeValue(type)})`
  );
}

const WRITE_ACTION = 'write to the region';
const READ_ACTION = 'read from the region';

/** A new array of `count` bytes for read(); past what this runtime's typed arrays hold, ALLOCATION_FAILED. */
function newArray(count: number): Uint8Array {
  try {
    return new NativeUint8Array(count);
  } catch {
    throw new MemoryProtectionError(
      'ALLOCATION_FAILED',
      `cannot read ${count} bytes into one new array: this runtime could not make an array that large; ` +
        `read the region in parts with readInto(region, target, offset)`,
    );
  }
}

/** The OUT_OF_BOUNDS error of a copy of `count` bytes at `at` that does not fit a region of `size` bytes. */
function tooMany(out: boolean, count: number, at: number, size: number): MemoryProtectionError {
  return new MemoryProtectionError(
    'OUT_OF_BOUNDS',
    out
      ? `cannot read ${count} bytes at offset ${at}: the region holds ${size} ` +
          `bytes, so at most ${size - at} are there; pass a shorter target (subarray)`
      : `cannot write ${count} bytes at offset ${at}: the region ` +
          `holds ${size} bytes, so at most ${size - at} fit there`,
  );
}

/**
 * Builds the PlatformMemory API over any host: the native one of this platform, or
 * `createSimulatedHost()` for deterministic tests.
 * @param options - `{ host }`, the host to run on
 * @returns a PlatformMemory with its own core and region table
 * @example
 * const mem = createPlatformMemory({ host: createSimulatedHost({ seed: 42 }) });
 */
export function createPlatformMemory(options: { host: Host }): PlatformMemory {
  const given = readOptions<{ host: Host }>(options, 'createPlatformMemory options', ['host']).host;
  if (!isHost(given)) {
    throw invalidArgument(
      `createPlatformMemory needs { host }: a host such as createSimulatedHost(), got ${describeValue(given)}`,
    );
  }
  const host: Host = given;
  const bound = bindCore(host);
  const core = bound.exports;

  const owner: RegionOwner = {
    protectionOf: (region) =>
      PROTECTION_LEVELS[core.regionField(live(region, 'read the protection of the region').slot, Field.protection)],
    lockedOf: (region) =>
      (core.regionField(live(region, 'read the lock state of the region').slot, Field.flags) & RegionFlag.LOCKED) !== 0,
    isFreed: (region) => core.check(own(region, 'check').slot, own(region, 'check').generation) !== Status.OK,
  };

  function fail(status: number, action: string, handle?: RegionHandle): never {
    if (handle && (status === Status.USE_AFTER_FREE || status === Status.DOUBLE_FREE))
      purgedFail(status, action, handle);
    throw errorFromStatus(core, host, status, { action });
  }

  /** A region that purge() freed says so (one the caller freed keeps the usual message). */
  function purgedFail(status: number, action: string, handle: RegionHandle): void {
    const at = handle.freedByCall ? undefined : purgeAfter(handle.purgesAtMaking);
    if (at === undefined) return;
    throw new MemoryProtectionError(
      status === Status.DOUBLE_FREE ? 'DOUBLE_FREE' : 'USE_AFTER_FREE',
      `cannot ${action}: the region was purged by purge() at ${at} ` +
        `(wiped and unmapped with every other secret). Allocate a new one.`,
    );
  }

  /** The handle of one of this memory's regions (live or freed). */
  function own(region: unknown, action: string): RegionHandle {
    const handle = findHandle(region);
    if (!handle)
      throw invalidArgument(
        `cannot ${action}: expected a Region returned by allocate(), got ${region === null ? 'null' : typeof region}`,
      );
    if (handle.owner !== owner)
      throw invalidArgument(
        `cannot ${action}: this region belongs to another PlatformMemory; use the one that allocated it`,
      );
    return handle;
  }

  /** The handle of one of this memory's live regions. */
  function live(region: unknown, action: string): RegionHandle {
    const handle = own(region, action);
    const status = core.check(handle.slot, handle.generation);
    if (status !== Status.OK) {
      if (status === Status.USE_AFTER_FREE) purgedFail(status, action, handle);
      throw errorFromStatus(core, host, status, { action, reason: Reason.NOT_A_REGION });
    }
    return handle;
  }

  /**
   * The handle of one of this memory's regions, found directly: a copy's hot path leaves the
   * generation check to the core call that copies (one crossing into Wasm, not two) and asks
   * live() only when something fails, so a freed region is reported as before.
   */
  function ownFast(region: unknown, action: string): RegionHandle {
    const found = findHandle(region);
    return found !== undefined && found.owner === owner ? found : own(region, action);
  }

  // The checked offset and length of the copy checkCopy() has just accepted: two numbers kept
  // here instead of a record made per call (nothing runs between the check and the copy).
  let copyAt = 0;
  let copyCount = 0;

  /**
   * The caller's bytes of a write (`out` false: copied from) or readInto (`out` true: filled), checked
   * against the region's size; sets copyAt and copyCount. A freed region is reported first, as live() does.
   * Kept small, its messages made elsewhere, so that V8 inlines it into the hot path.
   */
  function checkCopy(region: unknown, value: unknown, offset: unknown, out: boolean): Uint8Array {
    try {
      const bytes = out ? checkBytes(value, 'target', 'write') : checkBytes(value);
      const size = (region as Region).size;
      const at = checkIndex(offset, 'offset', size);
      const count = byteLengthOf(bytes);
      if (count > size - at) throw tooMany(out, count, at, size);
      copyAt = at;
      copyCount = count;
      return bytes;
    } catch (error) {
      live(region, out ? READ_ACTION : WRITE_ACTION); // a freed region is the first thing wrong
      throw error;
    }
  }

  /**
   * Copies `bytes` into the region at copyAt (or, `out`, region bytes at copyAt into all of `bytes`),
   * through the core's generation, bounds and protection check.
   */
  function copy(region: unknown, handle: RegionHandle, bytes: Uint8Array, out: boolean): void {
    const count = copyCount;
    let status: number;
    bound.stage(bytes, count); // stage/unstage, not withStaged: no closure made per call
    try {
      status = out
        ? core.read(handle.slot, handle.generation, copyAt, count)
        : core.write(handle.slot, handle.generation, copyAt, count);
    } finally {
      bound.unstage();
    }
    if (status !== Status.OK) copyFailed(region, status, handle, out, count);
  }

  /** The copy's `status` failed: a freed region says so first (as live() does), anything else as the core says. */
  function copyFailed(region: unknown, status: number, handle: RegionHandle, out: boolean, count: number): never {
    if (status === Status.USE_AFTER_FREE) live(region, out ? READ_ACTION : WRITE_ACTION);
    fail(status, `${out ? 'read' : 'write'} ${count} bytes`, handle);
  }

  /** The words of a protect() failure, made only when one is thrown. */
  function protectAction(protection: unknown): string {
    return (
      `change the protection to ` +
      `${indexIn(PROTECTION_LEVELS, protection) >= 0 ? protection : describeValue(protection)}`
    );
  }

  function allocateRegion(
    size: number,
    align: number,
    protection: number,
    type: number,
    before: number,
    after: number,
    flags: number,
    action: string,
  ): Region {
    const slot = core.allocate(size, align, protection, type, before, after, flags);
    if (slot < 0) fail(-slot, action);
    const handle: RegionHandle = {
      owner,
      slot,
      generation: core.allocatedGeneration(),
      purgesAtMaking: purgeCount(),
      freedByCall: false,
    };
    return new Region(REGION_TOKEN, handle, size, align, ALLOCATION_TYPES[core.regionField(slot, Field.type)]);
  }

  // No `host` here: the host copies and fills without bounds, so no public path leads to it.
  const memory: PlatformMemory = {
    pageSize: () => host.pageSize(),

    allocate(size, align, protection, type, options) {
      const action = `allocate ${describeSize(size, type)}`;
      checkSize(size);
      checkAlign(align);
      const level = checkProtection(protection);
      const kind = checkType(type);
      const opts = readOptions<AllocateOptions>(options, 'options', ['lock', 'secretMemory']);
      const flags =
        (checkLockPolicy(opts.lock) ? Option.LOCK_BEST_EFFORT : 0) | secretMemoryFlags(opts.secretMemory, kind);
      return allocateRegion(size, align, level, kind, 0, 0, flags, action);
    },

    allocateWithGuardPages(size, guardPagesBefore, guardPagesAfter, align, options) {
      const action = `allocate ${describeSize(size, 'guarded')}`;
      checkSize(size);
      const before = checkGuardPages(guardPagesBefore, 'guardPagesBefore');
      const after = checkGuardPages(guardPagesAfter, 'guardPagesAfter');
      if (before + after === 0)
        throw invalidArgument(
          `cannot ${action}: ask for at least one guard page, or use allocate() for memory without guards`,
        );
      checkAlign(align);
      const opts = readOptions<GuardedAllocateOptions>(options, 'options', [
        'lock',
        'protection',
        'type',
        'secretMemory',
      ]);
      const level = checkProtection(opts.protection ?? MemoryProtectionLevel.ReadWrite, 'options.protection');
      const kind = checkType(opts.type ?? AllocationType.Regular);
      const flags =
        Option.CUSTOM_GUARDS |
        (checkLockPolicy(opts.lock) ? Option.LOCK_BEST_EFFORT : 0) |
        secretMemoryFlags(opts.secretMemory, kind);
      return allocateRegion(size, align, level, kind, before, after, flags, action);
    },

    free(region) {
      const handle = own(region, 'free the region');
      const status = core.free(handle.slot, handle.generation);
      if (status === Status.OK || status === Status.CANARY_CORRUPTED) handle.freedByCall = true;
      if (status !== Status.OK) fail(status, 'free the region', handle);
    },

    freeGuardedMemory(region) {
      const handle = own(region, 'free the guarded region');
      // A freed region goes on to free(), which reports DOUBLE_FREE (not USE_AFTER_FREE).
      const isLive = core.check(handle.slot, handle.generation) === Status.OK;
      if (isLive && (core.regionField(handle.slot, Field.flags) & RegionFlag.GUARDED) === 0) {
        throw invalidArgument('cannot free the guarded region: this region has no guard pages; free it with free()');
      }
      memory.free(region);
    },

    protect(region, protection) {
      // The handle found directly on the hot path; own() (which throws) only for a foreign or forged region.
      const found = findHandle(region);
      const handle = found !== undefined && found.owner === owner ? found : own(region, protectAction(protection));
      const level = checkProtection(protection);
      const status = core.protect(handle.slot, handle.generation, level);
      if (status !== Status.OK) fail(status, protectAction(protection), handle);
    },

    lock(region) {
      const handle = own(region, 'lock the region');
      const action =
        core.check(handle.slot, handle.generation) === Status.OK
          ? `lock ${core.regionField(handle.slot, Field.dataPagesLength)} bytes`
          : 'lock the region';
      const status = core.lock(handle.slot, handle.generation);
      if (status !== Status.OK) fail(status, action, handle);
    },

    unlock(region) {
      const handle = own(region, 'unlock the region');
      const status = core.unlock(handle.slot, handle.generation);
      if (status !== Status.OK) fail(status, 'unlock the region', handle);
    },

    secureClear(region) {
      const handle = own(region, 'clear the region');
      const status = core.clear(handle.slot, handle.generation);
      if (status !== Status.OK) fail(status, 'clear the region', handle);
    },

    write(region, data, offset = 0) {
      const handle = ownFast(region, WRITE_ACTION);
      const bytes = checkCopy(region, data, offset, false);
      copy(region, handle, bytes, false);
    },

    read(region, offset = 0, length) {
      // live() before anything: the array is made before the copy, and a freed region gets no array (nor, past
      // what a typed array can hold, a RangeError instead of USE_AFTER_FREE).
      const handle = live(region, READ_ACTION);
      const size = (region as Region).size;
      const at = checkIndex(offset, 'offset', size);
      const count = length === undefined ? size - at : checkIndex(length, 'length', size - at);
      const target = newArray(count);
      copyAt = at;
      copyCount = count;
      copy(region, handle, target, true);
      return target;
    },

    readInto(region, target, offset = 0) {
      const handle = ownFast(region, READ_ACTION);
      const bytes = checkCopy(region, target, offset, true);
      copy(region, handle, bytes, true);
    },

    inspect(region) {
      const handle = live(region, 'inspect the region');
      return describeRegion(core, host, handle.slot);
    },

    stats: () => ({
      liveRegions: core.statLiveRegions(),
      mappedBytes: core.statMappedBytes(),
      lockedBytes: core.statLockedBytes(),
    }),
  };
  const frozen = Object.freeze(memory);
  weakSet(regionPurges, frozen, { core: core as SecureCoreExports, host }); // every core is the same Wasm module
  return frozen;
}

/** @internal The core of each PlatformMemory, for purge() (src/purge.ts) to free its regions. */
export const regionPurges = new WeakMap<PlatformMemory, { core: SecureCoreExports; host: Host }>();
