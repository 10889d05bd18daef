// Scoped access on the real kernel: what /proc/self/smaps says about a SecureBuffer's data pages
// at rest, inside use(), inside update(), after them, with nesting, throwing and async callbacks.
// The data pages are secret memory where this machine has it (smaps `---s`), else private (`---p`).
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryProtectionError, SecureBuffer } from '../../src/index.js';
import { nativeHost } from '../../src/default-memory.js';
import { DEFAULT_SHARING as S, permsAt, secretBytes } from './peek.js';

const live: SecureBuffer[] = [];
function track(buffer: SecureBuffer): SecureBuffer {
  live.push(buffer);
  return buffer;
}
afterEach(() => {
  for (const buffer of live.splice(0)) buffer.dispose();
});

/** The kernel's permissions for the buffer's data pages. */
function dataPerms(buffer: SecureBuffer): string[] {
  const { dataPages } = buffer.inspect();
  return permsAt(dataPages.address, dataPages.length);
}

describe('SecureBuffer scoped access on Linux', () => {
  it('keeps the data pages NoAccess at rest, ReadOnly inside use and ReadWrite inside update', () => {
    const key = track(SecureBuffer.from(secretBytes(32)));
    expect(dataPerms(key)).toEqual([`---${S}`]);
    const inUse = key.use(() => dataPerms(key));
    expect(inUse).toEqual([`r--${S}`]);
    expect(dataPerms(key)).toEqual([`---${S}`]);
    const inUpdate = key.update(() => dataPerms(key));
    expect(inUpdate).toEqual([`rw-${S}`]);
    expect(dataPerms(key)).toEqual([`---${S}`]);
  });

  it('hands the callback a view of exactly the secret and returns what the callback returns', () => {
    const bytes = secretBytes(48);
    const key = track(SecureBuffer.from(bytes, { wipeSource: false }));
    const seen = key.use((view) => ({ length: view.length, copy: Array.from(view) }));
    expect(seen).toEqual({ length: 48, copy: Array.from(bytes) });
  });

  it('lets update change the secret and use read the change', () => {
    const key = track(SecureBuffer.alloc(16));
    key.update((view) => view.set(secretBytes(16, 3)));
    expect(key.use((view) => Array.from(view))).toEqual(Array.from(secretBytes(16, 3)));
  });

  it('keeps the widest access of nested calls until the outermost returns', () => {
    const key = track(SecureBuffer.alloc(32));
    const seen: string[][] = [];
    key.use(() => {
      seen.push(dataPerms(key)); // r--p
      key.update((view) => {
        view[0] = 7;
        seen.push(dataPerms(key)); // rw-p
        key.use(() => seen.push(dataPerms(key))); // still rw-p: the widest wins
      });
      seen.push(dataPerms(key)); // rw-p until the outermost use returns
      expect(key.inspect().openScopes).toBe(1);
    });
    expect(seen).toEqual([[`r--${S}`], [`rw-${S}`], [`rw-${S}`], [`rw-${S}`]]);
    expect(dataPerms(key)).toEqual([`---${S}`]);
    expect(key.use((view) => view[0])).toBe(7);
    expect(key.inspect().openScopes).toBe(0);
  });

  it('restores NoAccess when the callback throws, and rethrows the callback error unchanged', () => {
    const key = track(SecureBuffer.alloc(32));
    const failure = new Error('callback failed');
    expect(() =>
      key.update(() => {
        throw failure;
      }),
    ).toThrow(failure);
    expect(() =>
      key.use(() =>
        key.use(() => {
          throw failure;
        }),
      ),
    ).toThrow(failure);
    expect(dataPerms(key)).toEqual([`---${S}`]);
    expect(key.inspect().openScopes).toBe(0);
  });

  it('refuses an async callback before opening anything', () => {
    const key = track(SecureBuffer.alloc(32));
    let called = false;
    const refusal = (() => {
      try {
        key.use(async () => {
          called = true;
        });
      } catch (error) {
        return error as MemoryProtectionError;
      }
    })();
    expect(refusal).toBeInstanceOf(MemoryProtectionError);
    expect(refusal?.code).toBe('INVALID_ARGUMENT');
    expect(refusal?.message).toMatch(/synchronous callback/);
    expect(called).toBe(false);
    expect(dataPerms(key)).toEqual([`---${S}`]);
  });

  it('closes the pages and throws when a callback returns a promise anyway', async () => {
    const key = track(SecureBuffer.alloc(32));
    let permsAfterAwait: string[] = [];
    const later = Promise.resolve();
    expect(() =>
      key.use(() =>
        later.then(() => {
          permsAfterAwait = dataPerms(key);
        }),
      ),
    ).toThrow(/synchronous callback/);
    expect(dataPerms(key)).toEqual([`---${S}`]);
    await later;
    await Promise.resolve();
    expect(permsAfterAwait).toEqual([`---${S}`]); // the code after the await ran with the pages closed
  });

  it('refuses to dispose a buffer inside its own use and disposes it afterwards', () => {
    const key = SecureBuffer.alloc(32);
    const inside = (() => {
      try {
        key.use(() => key.dispose());
      } catch (error) {
        return error as MemoryProtectionError;
      }
    })();
    expect(inside?.code).toBe('ACCESS_DENIED');
    expect(key.disposed).toBe(false);
    key.dispose();
    expect(key.disposed).toBe(true);
  });

  it('copies through ordinary memory, wiped after the call, on a host that lends no views', () => {
    const native = nativeHost();
    const viewless = { ...native, view: () => undefined };
    const key = track(SecureBuffer.from(secretBytes(32), { host: viewless }));
    let lent: Uint8Array | undefined;
    const perms = key.update((view) => {
      lent = view;
      view[0] = 0xee;
      return dataPerms(key);
    });
    expect(perms).toEqual([`rw-${S}`]);
    expect(lent && Array.from(lent)).toEqual(new Array(32).fill(0)); // the copy was wiped
    const expected = secretBytes(32);
    expected[0] = 0xee;
    expect(key.use((view) => Array.from(view))).toEqual(Array.from(expected)); // the update was written back
    expect(dataPerms(key)).toEqual([`---${S}`]);
  });
});
