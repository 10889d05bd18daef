import { Protection } from '../host/types.js';
import { namesByNumber } from '../shared/names-by-number.js';
import { AllocationType as ALLOCATION_TYPE_NUMBERS, PageKind as PAGE_KIND_NUMBERS } from './generated/core-numbers.js';

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

// The core's numbering; the keys of the generated tables are the names above.
export const PROTECTION_LEVELS: readonly MemoryProtectionLevel[] = Object.freeze(
  namesByNumber<MemoryProtectionLevel>(Protection),
);
export const ALLOCATION_TYPES: readonly AllocationType[] = Object.freeze(
  namesByNumber<AllocationType>(ALLOCATION_TYPE_NUMBERS),
);

/** How a region's pages are backed, as `inspect` reports it. */
export type PageKind = 'normal' | 'transparent-huge' | 'explicit-huge';
const PAGE_KIND_NAMES: Record<keyof typeof PAGE_KIND_NUMBERS, PageKind> = {
  normal: 'normal',
  transparentHuge: 'transparent-huge',
  explicitHuge: 'explicit-huge',
};
export const PAGE_KINDS: readonly PageKind[] = namesByNumber(PAGE_KIND_NUMBERS).map((key) => PAGE_KIND_NAMES[key]);

/**
 * Where a Secure allocation's data pages come from (option `secretMemory`):
 * - `'preferred'`: secret memory (Linux memfd_secret) where this machine has it, else ordinary
 *   locked pages — `inspect().backing` says which;
 * - `'required'`: secret memory, or NOT_SUPPORTED / ALLOCATION_FAILED;
 * - `'off'`: ordinary locked pages.
 */
export type SecretMemoryPolicy = 'preferred' | 'required' | 'off';
export const SECRET_MEMORY_POLICIES: readonly SecretMemoryPolicy[] = ['off', 'preferred', 'required'];

/**
 * What backs a region's data pages, as `inspect` reports it:
 * - `'anonymous'`: private pages of the process (mmap MAP_ANONYMOUS, VirtualAlloc,
 *   mach_vm_allocate), locked with mlock/VirtualLock where the region is locked;
 * - `'secret-memory'`: Linux memfd_secret pages, which the kernel takes out of its own direct
 *   map, keeps locked, and refuses to /proc/pid/mem and ptrace (debuggers, gcore).
 */
export type MemoryBacking = 'anonymous' | 'secret-memory';
