// Argument checks for the public API, done before any core or host call. Messages name the
// argument, what was given and what is expected.
import { MemoryProtectionError, invalidArgument } from './errors.js';
import { checkLentAccess, inReadOnlyLend } from './lent-views.js';
import {
  byteSpanOf,
  bytesOf,
  indexIn,
  isInteger,
  joined,
  typedArrayKind,
  type ByteSpan,
} from '../shared/intrinsics.js';
import { describeValue } from '../shared/describe-value.js';
import type { Host } from '../host/types.js';
import { ALLOCATION_TYPES, PROTECTION_LEVELS, SECRET_MEMORY_POLICIES, type SecretMemoryPolicy } from './levels.js';

/** The largest size accepted: 2^47 bytes, the user address space of x86-64 and arm64. */
export const MAX_SIZE = 2 ** 47;
/** The largest alignment accepted: 1 GiB. */
export const MAX_ALIGN = 2 ** 30;
/** The most guard pages on one side. */
export const MAX_GUARD_PAGES = 1024;

export { describeValue } from '../shared/describe-value.js';

/** A byte count in [1, MAX_SIZE]. */
export function checkSize(value: unknown, name = 'size'): number {
  if (typeof value !== 'number' || !isInteger(value) || value < 1) {
    throw invalidArgument(`${name} must be a positive integer number of bytes, got ${describeValue(value)}`);
  }
  if (value > MAX_SIZE) {
    throw invalidArgument(`${name} ${value} is beyond what the OS can map (at most 2^47 = ${MAX_SIZE} bytes)`);
  }
  return value;
}

/** A power of two in [1, MAX_ALIGN]. */
export function checkAlign(value: unknown): number {
  const powerOfTwo = `align must be a power of two (1, 2, 4, … ${MAX_ALIGN}), got ${describeValue(value)}`;
  if (typeof value !== 'number' || !isInteger(value) || value < 1) throw invalidArgument(powerOfTwo);
  if (value > MAX_ALIGN) throw invalidArgument(`align ${value} is too large: at most ${MAX_ALIGN} (1 GiB)`);
  if ((value & (value - 1)) !== 0) throw invalidArgument(powerOfTwo);
  return value;
}

/** A guard page count in [0, MAX_GUARD_PAGES]. */
export function checkGuardPages(value: unknown, name: string): number {
  if (typeof value !== 'number' || !isInteger(value) || value < 0 || value > MAX_GUARD_PAGES) {
    throw invalidArgument(`${name} must be an integer from 0 to ${MAX_GUARD_PAGES}, got ${describeValue(value)}`);
  }
  return value;
}

/** One of the six protection levels; returns the core's number for it. */
export function checkProtection(value: unknown, name = 'protection'): number {
  const index = indexIn(PROTECTION_LEVELS, value);
  if (index < 0) {
    throw invalidArgument(
      `${name} must be a MemoryProtectionLevel (${joined(PROTECTION_LEVELS)}), got ${describeValue(value)}`,
    );
  }
  return index;
}

/** One of the three allocation types; returns the core's number for it. */
export function checkType(value: unknown): number {
  const index = indexIn(ALLOCATION_TYPES, value);
  if (index < 0) {
    throw invalidArgument(`type must be an AllocationType (${joined(ALLOCATION_TYPES)}), got ${describeValue(value)}`);
  }
  return index;
}

/** checkBytes' span of the value it is checking; it runs no caller code, so no call can interleave. */
const NO_BUFFER = new ArrayBuffer(0);
const scratchSpan: ByteSpan = { buffer: NO_BUFFER, byteOffset: 0, byteLength: 0, resizable: false, shared: false };

/** The byte types memshield takes, as messages name them. */
export const ACCEPTED_BYTES = 'a Uint8Array (a Buffer, or a subclass of Uint8Array)';

/**
 * Bytes a caller hands in (to copy from, or with `access` 'write' to fill), with the real length and offset read
 * through the built-in getters — never through a `byteLength` the value, its class or a Proxy answers: the value
 * itself when it is a Uint8Array or a Buffer (no array made per call; memshield and its hosts read it only through
 * the built-ins), else a plain Uint8Array over the same memory, so that no host sees a caller's subclass. A
 * detached buffer gives an empty array.
 * Other typed arrays, a DataView, an ArrayBuffer and a Proxy are refused (wrap memory as
 * `new Uint8Array(buffer, offset, length)`); so is a view of a resizable or growable buffer,
 * whose length could change during the copy. A view lent by a use()/update() that has returned,
 * or (to fill) one lent by a running use(), is ACCESS_DENIED: touching it would fault.
 */
export function checkBytes(value: unknown, name = 'data', access: 'read' | 'write' = 'read'): Uint8Array {
  if (typedArrayKind(value) !== 'Uint8Array') {
    throw invalidArgument(
      `${name} must be ${ACCEPTED_BYTES}, got ${describeValue(value)}; ` +
        `wrap other memory as new Uint8Array(buffer, offset, length)`,
    );
  }
  const span = byteSpanOf(value as Uint8Array, scratchSpan); // no record made per call
  try {
    if (span.resizable) {
      throw invalidArgument(
        `${name} is a Uint8Array over a ${span.shared ? 'growable SharedArrayBuffer' : 'resizable ArrayBuffer'}: ` +
          `its length could change during the copy; copy it into a fixed-length array first (new Uint8Array(view))`,
      );
    }
    checkLentAccess(span, access, name);
    return bytesOf(value as Uint8Array, span);
  } finally {
    span.buffer = NO_BUFFER; // the scratch keeps no reference to the caller's memory
  }
}

/**
 * Whether from() wipes its `source` after copying, from the wipeSource option (default true).
 * A view lent by a running use() is read-only (its secret's own pages): it is copied and left as
 * it is unless wipeSource is true, which is ACCESS_DENIED (the wipe would fault).
 */
export function checkWipeSource(value: unknown, source: Uint8Array): boolean {
  if (value !== undefined && typeof value !== 'boolean')
    throw invalidArgument(`options.wipeSource must be true or false, got ${describeValue(value)}`);
  if (!inReadOnlyLend(byteSpanOf(source))) return value !== false;
  if (value === true) {
    throw new MemoryProtectionError(
      'ACCESS_DENIED',
      'cannot wipe the source: it is a view lent by use(), which is read-only. Leave wipeSource out to copy ' +
        'the secret without wiping it (its own SecureBuffer wipes it on dispose), or copy inside update()',
    );
  }
  return false;
}

/** An offset or length within a region: an integer; negative or too large is OUT_OF_BOUNDS. */
export function checkIndex(value: unknown, name: string, limit: number): number {
  if (typeof value !== 'number' || !isInteger(value)) {
    throw invalidArgument(`${name} must be an integer, got ${describeValue(value)}`);
  }
  if (value < 0 || value > limit) {
    throw new MemoryProtectionError(
      'OUT_OF_BOUNDS',
      `${name} ${value} is outside the region: it must be from 0 to ${limit}`,
    );
  }
  return value;
}

/** The lock policy option of a Secure allocation: true for best effort. */
export function checkLockPolicy(value: unknown): boolean {
  if (value === undefined || value === 'required') return false;
  if (value === 'bestEffort') return true;
  throw invalidArgument(`lock must be 'required' (the default) or 'bestEffort', got ${describeValue(value)}`);
}

/** The secretMemory option: 'preferred', 'required' or 'off'; `fallback` (or what it returns) when undefined. */
export function checkSecretMemoryPolicy(
  value: unknown,
  fallback: SecretMemoryPolicy | (() => SecretMemoryPolicy),
): SecretMemoryPolicy {
  if (value === undefined) return typeof fallback === 'function' ? fallback() : fallback;
  if (indexIn(SECRET_MEMORY_POLICIES, value) >= 0) return value as SecretMemoryPolicy;
  throw invalidArgument(`secretMemory must be 'preferred', 'required' or 'off', got ${describeValue(value)}`);
}

/** The Host methods memshield calls (host/types.ts); `mapSecret`, `kernelView` and `notes` are optional. */
const HOST_METHODS = [
  'pageSize',
  'capabilities',
  'map',
  'unmap',
  'protect',
  'lock',
  'unlock',
  'advise',
  'copyIn',
  'copyOut',
  'fill',
  'view',
  'randomBytes',
  'address',
  'errorName',
  'memlockStatus',
] as const;

/** True for an object with every Host method and a syscalls table: a host memshield can drive. */
export function isHost(value: unknown): value is Host {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  try {
    for (let i = 0; i < HOST_METHODS.length; i++) if (typeof candidate[HOST_METHODS[i]] !== 'function') return false;
    return typeof candidate.syscalls === 'object' && candidate.syscalls !== null;
  } catch {
    return false; // a revoked Proxy, or one whose get trap throws, is no host
  }
}
