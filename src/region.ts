// Regions as users hold them. The handle (core slot + generation) and the owning memory live in
// a WeakMap, so a region cannot be forged from a plain object, and one from another
// PlatformMemory is recognised as foreign.
import { MemoryProtectionError } from './errors.js';
import { weakGet, weakSet } from '../shared/intrinsics.js';
import type { AllocationType, MemoryProtectionLevel } from './levels.js';

/** What a Region's owner answers about it (implemented by the PlatformMemory that made it). */
export interface RegionOwner {
  protectionOf(region: Region): MemoryProtectionLevel;
  lockedOf(region: Region): boolean;
  isFreed(region: Region): boolean;
}

/** The private half of a region. */
export interface RegionHandle {
  owner: RegionOwner;
  slot: number;
  generation: number;
  /** purge() calls made before the region was (purge-log.ts), to tell a purged region from a freed one. */
  purgesAtMaking: number;
  /** True once free() of this region succeeded. */
  freedByCall: boolean;
}

const handles = new WeakMap<object, RegionHandle>();
/** Proves a construction comes from this package: `new Region(...)` from outside is refused. */
export const REGION_TOKEN: unique symbol = Symbol('memshield.Region');

/**
 * A mapped region returned by `allocate` or `allocateWithGuardPages`. Its bytes are reached only
 * through the owning memory's `write`/`read`; the region itself holds no address.
 */
export class Region {
  /** The usable size in bytes, as asked for. */
  readonly size: number;
  /** The alignment of the data, as asked for. */
  readonly align: number;
  /** The allocation type. */
  readonly type: AllocationType;

  /** @internal Made only by PlatformMemory. */
  constructor(token: typeof REGION_TOKEN, handle: RegionHandle, size: number, align: number, type: AllocationType) {
    if (token !== REGION_TOKEN) {
      throw new MemoryProtectionError(
        'INVALID_ARGUMENT',
        'Region has no public constructor: regions come from allocate() or allocateWithGuardPages()',
      );
    }
    this.size = size;
    this.align = align;
    this.type = type;
    weakSet(handles, this, handle);
    Object.freeze(this);
  }

  /** The current protection of the data pages. Throws USE_AFTER_FREE once freed. */
  get protection(): MemoryProtectionLevel {
    return handleOf(this).owner.protectionOf(this);
  }

  /** True while the data pages are locked in RAM. Throws USE_AFTER_FREE once freed. */
  get locked(): boolean {
    return handleOf(this).owner.lockedOf(this);
  }

  /** True once the region has been freed. */
  get freed(): boolean {
    return handleOf(this).owner.isFreed(this);
  }

  /** A short description that never includes data. */
  toString(): string {
    return `Region(${this.type}, ${this.size} bytes)`;
  }
}

/** The handle behind a Region; a forged one (Object.create(Region.prototype)) has none. */
function handleOf(region: Region): RegionHandle {
  const handle = weakGet(handles, region);
  if (!handle)
    throw new MemoryProtectionError(
      'INVALID_ARGUMENT',
      'this is not a Region returned by allocate(): it has no mapping behind it',
    );
  return handle;
}

/** The handle behind any value, or undefined if it is not a region memshield made. */
export function findHandle(value: unknown): RegionHandle | undefined {
  return typeof value === 'object' && value !== null ? weakGet(handles, value) : undefined;
}
