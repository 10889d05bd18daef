// Scoped access: the only way user code touches a secret's bytes. The core opens the secret's
// pages (ReadOnly for use, ReadWrite for update), the callback gets a view, and the pages close
// again when it returns or throws.
//
// The view is zero-copy (host.view: a window on the locked pages themselves). After the call its
// pages are NoAccess again, so a view kept past the call faults (SIGSEGV) when touched instead of
// leaking. Where the runtime forbids external buffers (Electron), host.view returns undefined and
// the callback gets a copy in ordinary memory instead, written back after an update and wiped
// after every call: weaker (the copy lives in the JS heap during the call), but never kept.
//
// Callbacks must be synchronous: access may not stay open across an await. An async function is
// refused before anything is opened; a callback that returns a promise anyway has its access
// closed when it returns and the call throws, so code after its first await that touches the view
// faults rather than reads.
import { MemoryProtectionError } from './errors.js';
import { Protection } from '../host/types.js';
import { SecretField, Status } from './generated/core-numbers.js';
import { emitWarning } from './emit-warning.js';
import type { SecureCore } from './secure-core.js';
import { byteSpanOf, fillBytes, getPrototypeOf, type ByteSpan } from '../shared/intrinsics.js';
import { lendCountOf, lendEnded, lendStarted, type LendCount } from './lent-views.js';
import { secureError } from './secure-failures.js';
/** Captured at load: a Uint8Array replaced later is never given secret bytes or Wasm memory. */
const NativeUint8Array = Uint8Array;

declare const scopedViewBrand: unique symbol;

/**
 * The view a `use()` callback gets: a `Uint8Array` over the secret's own pages, valid only during
 * the call (touched afterwards it faults). Pass it wherever a `Uint8Array` is expected; the brand
 * only lets the types refuse a callback that returns the view itself.
 */
export type ScopedView = Uint8Array & { readonly [scopedViewBrand]: 'valid only during the use() call' };

// Joined by a template literal type only to keep the line short: the type is one string literal.
type AsyncRefusalReason = 'access cannot stay open across an await; start async work after they return';
/** What the types answer to a callback that returns a promise. */
export type AsyncCallbackRefused = `use() and update() need a synchronous callback: ${AsyncRefusalReason}`;
/** What the types answer to a use() callback that returns its view. */
export type ViewReturnRefused =
  'use() must not return its view: it faults once the call returns; return view.slice() or a result computed from it';

/**
 * What an update() callback may return: anything but a promise. A callback returning a promise
 * is a compile error whose message is {@link AsyncCallbackRefused} (and INVALID_ARGUMENT at run
 * time); inference of the result is unchanged.
 */
export type SyncResult<T> = T extends PromiseLike<unknown> ? AsyncCallbackRefused : T;

/** What a use() callback may return: neither a promise nor the view it was lent. */
export type ScopedResult<T> =
  T extends PromiseLike<unknown> ? AsyncCallbackRefused : T extends ScopedView ? ViewReturnRefused : T;

/** Where a secret's bytes are, cached by its owner (they never move while it lives). */
export interface SecretLocation {
  core: SecureCore;
  index: number;
  generation: number;
  size: number;
  /** Host mapping id and offset of the data, -1 until first read. */
  hostId: number;
  dataOffset: number;
  /**
   * The view lent last time, its span and its lend count. With a count (a native host's view, a
   * buffer of its own) the secret keeps it and lends it to each of its calls; no other secret
   * ever gets it.
   */
  lentView: Uint8Array | undefined;
  lentSpan: ByteSpan | undefined;
  lentCount: LendCount | undefined;
}

/** A new location record; where the bytes are is read from the core on first access. */
export function secretLocation(core: SecureCore, index: number, generation: number, size: number): SecretLocation {
  return {
    core,
    index,
    generation,
    size,
    hostId: -1,
    dataOffset: -1,
    lentView: undefined,
    lentSpan: undefined,
    lentCount: undefined,
  };
}

const AsyncFunctionPrototype = getPrototypeOf(async () => {});

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

function asyncRefused(method: string): MemoryProtectionError {
  return new MemoryProtectionError(
    'INVALID_ARGUMENT',
    `${method}() needs a synchronous callback: access to the secret may not stay open across an await. ` +
      `Do the work on the view inside the callback and return its result; start async work after ${method}() returns.`,
  );
}

/**
 * Runs `fn` with a view of the secret, its pages open for `access` during the call only.
 * @returns what `fn` returned
 */
export function runScoped<T>(
  secret: SecretLocation,
  access: typeof Protection.ReadOnly | typeof Protection.ReadWrite,
  fn: (view: Uint8Array) => T,
  method: 'use' | 'update',
): T {
  if (typeof fn !== 'function') {
    throw new MemoryProtectionError(
      'INVALID_ARGUMENT',
      `${method}() needs a callback (view) => result, ` + `got ${fn === null ? 'null' : typeof fn}`,
    );
  }
  let prototype: object | null;
  try {
    prototype = getPrototypeOf(fn); // not instanceof: it would ask a Proxy, and a revoked one throws
  } catch {
    throw new MemoryProtectionError(
      'INVALID_ARGUMENT',
      `${method}() needs a callback (view) ` + `=> result, got a revoked Proxy`,
    );
  }
  if (prototype === AsyncFunctionPrototype) throw asyncRefused(method);
  const { core } = secret;
  const exports = core.exports;
  const opened = exports.secretOpenScope(secret.index, secret.generation, access);
  if (opened !== 0) throw secureError(core, opened, `${method}() the SecureBuffer`);

  let view: Uint8Array | undefined;
  let depth = -1;
  let count: LendCount | undefined;
  let copied = false;
  let failed = true;
  try {
    if (secret.hostId < 0) {
      secret.hostId = exports.secretField(secret.index, SecretField.hostId);
      secret.dataOffset = exports.secretField(secret.index, SecretField.dataOffset);
    }
    // A view of its own buffer (a native host's) is kept by the secret and lent to its every
    // call; a window the host revokes itself (the simulated host) is asked for each time. The
    // view is the secret's, never the host's: a later secret in the same heap slot or at the same
    // address is lent a new one, so a view kept from a freed secret stays refused (lent-views.ts).
    view =
      secret.lentCount !== undefined ? secret.lentView : core.host.view(secret.hostId, secret.dataOffset, secret.size);
    if (view === undefined) {
      // No zero-copy view here: a copy, read now, written back after an update, wiped after.
      copied = true;
      view = new NativeUint8Array(secret.size);
      const target = view;
      const read = core.withStaged(target, () => exports.secretRead(secret.index, secret.generation, 0, secret.size));
      if (read !== 0) throw secureError(core, read, `${method}() the SecureBuffer`);
    }
    let span: ByteSpan;
    if (copied) {
      span = byteSpanOf(view);
      count = lendCountOf(span);
    } else {
      // Its span and count are found once, when the secret is first lent a view of its own buffer.
      if (view !== secret.lentView) {
        secret.lentView = view;
        secret.lentSpan = byteSpanOf(view);
        secret.lentCount = lendCountOf(secret.lentSpan);
      }
      span = secret.lentSpan!;
      count = secret.lentCount;
    }
    depth = lendStarted(span, access === Protection.ReadOnly, count);
    const result = fn(view);
    if (isThenable(result)) {
      Promise.resolve(result).catch(() => {}); // reported here, synchronously; not again as unhandled
      throw asyncRefused(method);
    }
    if (copied && access === Protection.ReadWrite) {
      const source = view;
      const written = core.withStaged(source, () =>
        exports.secretWrite(secret.index, secret.generation, 0, secret.size),
      );
      if (written !== 0) throw secureError(core, written, `${method}() the SecureBuffer`);
    }
    failed = false;
    return result;
  } finally {
    if (depth >= 0) lendEnded(depth, count);
    if (copied && view) fillBytes(view, 0);
    const closed = exports.secretCloseScope(secret.index, secret.generation);
    if (closed !== 0 && exports.secretCheck(secret.index, secret.generation) !== Status.OK) {
      // The close ended a purge() deferred while the callback ran: the secret is freed, and what
      // that free found (canary damage) is no failure of this call: a warning says it.
      emitWarning(
        secureError(core, closed, `wipe and free the SecureBuffer purge() deferred until its ${method}() returned`),
      );
    } else if (closed !== 0 && !failed) {
      // A failure to close is reported unless the callback's own error is already on its way.
      // biome-ignore lint/correctness/noUnsafeFinally: a close failure replaces a successful result, on purpose
      throw secureError(core, closed, `close the SecureBuffer after ${method}()`);
    }
  }
}
