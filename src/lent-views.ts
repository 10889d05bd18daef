// The views use() and update() lend, as memshield's own copies must see them. A view lent by
// use() is on read-only pages while the call runs, and every lent view is on NoAccess pages once
// its call has returned: a memshield copy into the first, or from or into the second, would kill
// the process (SIGSEGV). Such calls are refused with ACCESS_DENIED instead, and from(view) inside
// use() copies the secret without wiping its source (see SecureBuffer.from).
import { MemoryProtectionError } from './errors.js';
import { bufferByteLength, uncurry, type ByteSpan } from '../shared/intrinsics.js';

/**
 * The views lent by use()/update() calls running now, innermost last (scoped calls nest
 * synchronously), and whether each is read-only. Two parallel arrays: nothing is allocated per call.
 */
const openSpans: ByteSpan[] = [];
const openReadOnly: boolean[] = [];
/** Buffers of views whose call has returned: each view lent by a native host has a buffer of its own. */
const ended = new WeakSet<ArrayBufferLike>();
const weakSetAdd = uncurry(WeakSet.prototype.add as (this: never, value: ArrayBufferLike) => unknown);
const weakSetHas = uncurry(WeakSet.prototype.has as (this: never, value: ArrayBufferLike) => boolean);
const weakSetDelete = uncurry(WeakSet.prototype.delete as (this: never, value: ArrayBufferLike) => boolean);

/**
 * True if `span` is its buffer's whole length: only such a view marks its buffer as ended (the
 * simulated host lends windows on one buffer per mapping, and revokes them itself).
 */
export function spansWholeBuffer(span: ByteSpan): boolean {
  return span.byteOffset === 0 && span.byteLength === bufferByteLength(span.buffer);
}

/** Records a view lent now (its span, and spansWholeBuffer of it); returns the depth `lendEnded` needs. */
export function lendStarted(span: ByteSpan, readOnly: boolean): number {
  // A buffer lent again is live again (a native host lends the same view to each call on a secret).
  weakSetDelete(ended, span.buffer);
  const depth = openSpans.length;
  openSpans[depth] = span;
  openReadOnly[depth] = readOnly;
  return depth;
}

/** Records that the call that lent `span` at `depth` has returned (or thrown). */
export function lendEnded(span: ByteSpan, depth: number, whole: boolean): void {
  openSpans.length = depth;
  openReadOnly.length = depth;
  if (!whole) return;
  // A nested call on the same secret lent the same view: it stays live until the outer call ends.
  for (let i = 0; i < depth; i++) if (openSpans[i].buffer === span.buffer) return;
  weakSetAdd(ended, span.buffer);
}

const overlaps = (a: ByteSpan, b: ByteSpan) =>
  a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;

/** True if an update() running now lent the same view as `lent` (a nested call on the same secret): its pages are writable, the widest access wins. */
function writableLend(lent: ByteSpan): boolean {
  for (let i = 0; i < openSpans.length; i++) {
    const other = openSpans[i];
    if (!openReadOnly[i] && other.buffer === lent.buffer && other.byteOffset === lent.byteOffset && other.byteLength === lent.byteLength) return true;
  }
  return false;
}

/** True if `span` lies in a view lent by a use() call that is still running (read-only pages). */
export function inReadOnlyLend(span: ByteSpan): boolean {
  if (span.byteLength === 0) return false;
  for (let i = 0; i < openSpans.length; i++) {
    if (openReadOnly[i] && overlaps(span, openSpans[i])) return !writableLend(openSpans[i]);
  }
  return false;
}

/**
 * Refuses bytes memshield is about to read (`'read'`) or fill (`'write'`) when that would fault:
 * a view whose use()/update() has returned, or (to fill) a view lent by a running use().
 * @throws {MemoryProtectionError} ACCESS_DENIED
 */
export function checkLentAccess(span: ByteSpan, access: 'read' | 'write', name: string): void {
  if (span.byteLength === 0) return;
  if (weakSetHas(ended, span.buffer) === true) {
    throw new MemoryProtectionError('ACCESS_DENIED',
      `${name} is a view lent by use() or update() whose call has returned: its pages are NoAccess now. Copy what you need inside the callback.`);
  }
  if (access === 'write' && inReadOnlyLend(span)) {
    throw new MemoryProtectionError('ACCESS_DENIED',
      `${name} is a view lent by use(), which is read-only: memshield cannot write into it. Use update() to change a secret.`);
  }
}
