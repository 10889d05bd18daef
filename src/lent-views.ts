// The views use() and update() lend, as memshield's own copies must see them. A view lent by
// use() is on read-only pages while the call runs, and every lent view is on NoAccess pages once
// its call has returned: a memshield copy into the first, or from or into the second, would kill
// the process (SIGSEGV). Such calls are refused with ACCESS_DENIED instead, and from(view) inside
// use() copies the secret without wiping its source (see SecureBuffer.from).
import { MemoryProtectionError } from './errors.js';
import { bufferByteLength, byteSpanOf, type ByteSpan } from '../shared/intrinsics.js';

/** The views lent by use() calls running now, innermost last (scoped calls nest synchronously). */
const openReadOnly: ByteSpan[] = [];
/** Buffers of views whose call has returned: each view lent by a native host has a buffer of its own. */
const ended = new WeakSet<ArrayBufferLike>();
const weakSetAdd = WeakSet.prototype.add;
const weakSetHas = WeakSet.prototype.has;
const weakSetDelete = WeakSet.prototype.delete;

/** Records a view lent now; returns what `lendEnded` needs. */
export function lendStarted(view: Uint8Array, readOnly: boolean): { span: ByteSpan; depth: number } {
  const span = byteSpanOf(view);
  Reflect.apply(weakSetDelete, ended, [span.buffer]); // a buffer lent again is live again
  const depth = openReadOnly.length;
  if (readOnly) openReadOnly[depth] = span;
  return { span, depth };
}

/** Records that the call that lent a view has returned (or thrown). */
export function lendEnded({ span, depth }: { span: ByteSpan; depth: number }): void {
  openReadOnly.length = depth;
  // Only a view that is its whole buffer marks the buffer: the simulated host lends windows on one
  // buffer per mapping (and revokes them itself).
  const whole = span.byteOffset === 0 && span.byteLength === bufferByteLength(span.buffer);
  if (whole) Reflect.apply(weakSetAdd, ended, [span.buffer]);
}

const overlaps = (a: ByteSpan, b: ByteSpan) =>
  a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;

/** True if `span` lies in a view lent by a use() call that is still running (read-only pages). */
export function inReadOnlyLend(span: ByteSpan): boolean {
  if (span.byteLength === 0) return false;
  for (let i = 0; i < openReadOnly.length; i++) if (overlaps(span, openReadOnly[i])) return true;
  return false;
}

/**
 * Refuses bytes memshield is about to read (`'read'`) or fill (`'write'`) when that would fault:
 * a view whose use()/update() has returned, or (to fill) a view lent by a running use().
 * @throws {MemoryProtectionError} ACCESS_DENIED
 */
export function checkLentAccess(span: ByteSpan, access: 'read' | 'write', name: string): void {
  if (span.byteLength === 0) return;
  if (Reflect.apply(weakSetHas, ended, [span.buffer]) === true) {
    throw new MemoryProtectionError('ACCESS_DENIED',
      `${name} is a view lent by use() or update() whose call has returned: ` + `its pages are NoAccess now. Copy what you need inside the callback.`);
  }
  if (access === 'write' && inReadOnlyLend(span)) {
    throw new MemoryProtectionError('ACCESS_DENIED',
      `${name} is a view lent by use(), which is read-only: memshield ` + `cannot write into it. Use update() to change a secret.`);
  }
}
