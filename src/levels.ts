/**
 * Protection levels for a region's data pages.
 *
 * @example
 * mem.protect(region, MemoryProtectionLevel.ReadOnly);
 */
export const MemoryProtectionLevel = Object.freeze({
  /** No access allowed (neither read nor write). */
  NoAccess: 'NoAccess',
  /** Read-only access. */
  ReadOnly: 'ReadOnly',
  /** Read and write access. */
  ReadWrite: 'ReadWrite',
  /** Execute access only. */
  Execute: 'Execute',
  /** Read and execute access. */
  ReadExecute: 'ReadExecute',
  /** Read, write and execute access. */
  ReadWriteExecute: 'ReadWriteExecute',
} as const);
/** One of the six {@link MemoryProtectionLevel} values. */
export type MemoryProtectionLevel = (typeof MemoryProtectionLevel)[keyof typeof MemoryProtectionLevel];

/**
 * Kinds of allocation.
 *
 * @example
 * const key = mem.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
 */
export const AllocationType = Object.freeze({
  /** A plain mapping: no guard pages, not locked. */
  Regular: 'Regular',
  /** Guard pages, canaries, locked in RAM, left out of core dumps and fork children, wiped on free. */
  Secure: 'Secure',
  /** Huge pages: explicit if reserved, else transparent, else normal pages (`inspect` says which). */
  LargePage: 'LargePage',
} as const);
/** One of the three {@link AllocationType} values. */
export type AllocationType = (typeof AllocationType)[keyof typeof AllocationType];

// The core's numbering (assembly/protection.ts): the order of the declarations above.
export const PROTECTION_LEVELS: readonly MemoryProtectionLevel[] = Object.values(MemoryProtectionLevel);
export const ALLOCATION_TYPES: readonly AllocationType[] = Object.values(AllocationType);

/** How a region's pages are backed, as `inspect` reports it. */
export type PageKind = 'normal' | 'transparent-huge' | 'explicit-huge';
export const PAGE_KINDS: readonly PageKind[] = ['normal', 'transparent-huge', 'explicit-huge'];
