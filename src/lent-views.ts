// The views use() and update() lend, as memshield's own copies must see them. A view lent by
// use() is on read-only pages while the call runs, and every lent view is on NoAccess pages once
// its call has returned: a memshield copy into the first, or from or into the second, would kill
// the process (SIGSEGV). Such calls are refused with ACCESS_DENIED instead, and from(view) inside
// use() copies the secret without wiping its source (see SecureBuffer.from).
import { MemoryProtectionError } from './errors.js';
import { bufferByteLength, uncurry, type ByteSpan } from '../shared/intrinsics.js';

/**
 * The views lent by use()/update() calls running now, innermost last (scoped calls nest
 * synchronously), and whether each is read-only: the first `open` entries of two parallel arrays,
 * which never shrink (setting an array's length is a runtime call); an ended entry holds NO_SPAN.
 */
const openSpans: ByteSpan[] = [];
const openReadOnly: boolean[] = [];
let open = 0;
const NO_SPAN: ByteSpan = { buffer: new ArrayBuffer(0), byteOffset: 0, byteLength: 0, resizable: false, shared: false };

/**
 * How many calls have a buffer lent right now, for each buffer a use()/update() ever lent as a
 * whole view (each view a native host lends has a buffer of its own; the simulated host lends
 * windows on one buffer per mapping and revokes them itself, so those are not counted). A buffer
 * with a record and no open call is a view whose call has returned. The record is made at the
 * first lend and kept by the caller (a secret lends the same view each time): a call only counts.
 */
export interface LendCount {
  open: number;
}
const lendCounts = new WeakMap<ArrayBufferLike, LendCount>();
const countOf = uncurry(WeakMap.prototype.get as (this: never, key: ArrayBufferLike) => LendCount | undefined);
const setCount = uncurry(WeakMap.prototype.set as (this: never, key: ArrayBufferLike, value: LendCount) => unknown);

/** The count of `span`'s buffer if the span is its buffer's whole length (made on first use), else undefined. */
export function lendCountOf(span: ByteSpan): LendCount | undefined {
  if (span.byteOffset !== 0 || span.byteLength !== bufferByteLength(span.buffer)) return undefined;
  let count = countOf(lendCounts, span.buffer);
  if (count === undefined) {
    count = { open: 0 };
    setCount(lendCounts, span.buffer, count);
  }
  return count;
}

/** Records a view lent now (its span and lendCountOf it); returns the depth `lendEnded` needs. */
export function lendStarted(span: ByteSpan, readOnly: boolean, count: LendCount | undefined): number {
  if (count !== undefined) count.open++;
  const depth = open++;
  openSpans[depth] = span;
  openReadOnly[depth] = readOnly;
  return depth;
}

/** Records that the call that lent a view at `depth` has returned (or thrown). */
export function lendEnded(depth: number, count: LendCount | undefined): void {
  for (let i = depth; i < open; i++) openSpans[i] = NO_SPAN; // drops the references, keeps the array
  open = depth;
  // A nested call on the same secret lent the same view: it stays live until the outer call ends.
  if (count !== undefined) count.open--;
}

const overlaps = (a: ByteSpan, b: ByteSpan) =>
  a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;

/**
 * True if an update() running now lent the same view as `lent` (a nested call on the same secret): its pages are
 * writable, the widest access wins.
 */
function writableLend(lent: ByteSpan): boolean {
  for (let i = 0; i < open; i++) {
    const other = openSpans[i];
    if (
      !openReadOnly[i] &&
      other.buffer === lent.buffer &&
      other.byteOffset === lent.byteOffset &&
      other.byteLength === lent.byteLength
    )
      return true;
  }
  return false;
}

/** True if `span` lies in a view lent by a use() call that is still running (read-only pages). */
export function inReadOnlyLend(span: ByteSpan): boolean {
  if (span.byteLength === 0) return false;
  for (let i = 0; i < open; i++) {
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
  if (countOf(lendCounts, span.buffer)?.open === 0) {
    throw new MemoryProtectionError(
      'ACCESS_DENIED',
      `${name} is a view lent by use() or update() whose call has returned: ` +
        `its pages are NoAccess now. Copy what you need inside the callback.`,
    );
  }
  if (access === 'write' && inReadOnlyLend(span)) {
    throw new MemoryProtectionError(
      'ACCESS_DENIED',
      `${name} is a view lent by use(), which is read-only: memshield ` +
        `cannot write into it. Use update() to change a secret.`,
    );
  }
}
