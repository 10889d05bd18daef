// Copying a secret from the view use() lends: that view is the secret's own pages, read-only
// during the call, so from(view) copies it and leaves it as it is (wiping it crashed the process
// with SIGSEGV before); asking for the wipe, filling the view (readInto), or touching a view whose
// use() has returned is ACCESS_DENIED. Each case runs first in a child (a crash ends only the
// child), then in this process. Control: the child that writes into the view dies by SIGSEGV.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AllocationType, MemoryProtectionLevel, PlatformMemory, SecureBuffer, SecureHeap } from '../../src/index.js';
import { errorOf } from '../helpers/errors.js';
import { lastJson, run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/hostile-copy-inside-use.mjs', import.meta.url));
const SEVEN = new Array(16).fill(7).join();
const EIGHT = new Array(16).fill(8).join();

async function child(which: string) {
  const result = await run(process.execPath, [FIXTURE, which]);
  return {
    status: result.status,
    signal: result.signal,
    report: result.status === 0 ? lastJson<Record<string, string>>(result) : undefined,
  };
}

describe('in a child process: never a crash', () => {
  it('control: writing into the view use() lends kills the process by SIGSEGV (the pages are read-only)', async () => {
    expect(await child('control: write into the view')).toMatchObject({ signal: 'SIGSEGV' });
  });

  it.each([
    ['SecureBuffer.from(view)', SEVEN],
    ['heap.from(view)', SEVEN],
    ['heap.from(view of a heap secret)', EIGHT],
  ])('%s copies the secret and leaves the source as it was', async (which, expected) => {
    const { status, signal, report } = await child(which);
    expect({ status, signal }).toEqual({ status: 0, signal: null });
    expect(report).toMatchObject({ code: 'none', copy: expected, original: SEVEN, slot: EIGHT });
  });

  it.each([
    ['SecureBuffer.from(view, { wipeSource: true })', /view lent by use\(\), which is read-only/],
    ['PlatformMemory.readInto(region, view)', /view lent by use\(\), which is read-only/],
    ['SecureBuffer.from(a view kept past use())', /whose call has returned: its pages are NoAccess now/],
  ])('%s is ACCESS_DENIED, and the secret is intact', async (which, message) => {
    const { status, signal, report } = await child(which);
    expect({ status, signal }).toEqual({ status: 0, signal: null });
    expect(report).toMatchObject({ code: 'ACCESS_DENIED', original: SEVEN, slot: EIGHT });
    expect(report!.message).toMatch(message);
  });
});

describe('in this process', () => {
  it(
    'from(view) and heap.from(view) inside use() copy without ' +
      'wiping; a wipe, a fill or a stale view is ACCESS_DENIED',
    () => {
      const original = SecureBuffer.from(new Uint8Array(16).fill(7));
      const heap = new SecureHeap({ arenaSize: 16 * 1024 });
      const copies = [
        original.use((view) => SecureBuffer.from(view)),
        original.use((view) => heap.from(view.subarray(8))),
      ];
      expect(copies.map((copy) => copy.use((view) => Array.from(view)))).toEqual([
        new Array(16).fill(7),
        new Array(8).fill(7),
      ]);
      expect(original.use((view) => Array.from(view))).toEqual(new Array(16).fill(7));
      expect(errorOf(() => original.use((view) => heap.from(view, { wipeSource: true })))?.code).toBe('ACCESS_DENIED');
      const region = PlatformMemory.allocate(16, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
      expect(errorOf(() => original.use((view) => PlatformMemory.readInto(region, view)))?.code).toBe('ACCESS_DENIED');
      const kept = original.use((view) => view);
      for (const call of [
        () => SecureBuffer.from(kept),
        () => PlatformMemory.write(region, kept),
        () => original.equals(kept),
      ]) {
        expect(errorOf(call)?.code).toBe('ACCESS_DENIED');
      }
      // Inside update() the view is writable: from(view) wipes it as asked (the default).
      const changed = original.update((view) => SecureBuffer.from(view));
      expect(original.use((view) => Array.from(view))).toEqual(new Array(16).fill(0));
      expect(changed.use((view) => view[0])).toBe(7);
      for (const secret of [...copies, original, changed]) secret.dispose();
      heap.destroy();
      PlatformMemory.free(region);
    },
  );

  it('a nested use() of the same secret lends the same view, which stays usable until the outer call returns', () => {
    const secret = SecureBuffer.from(new Uint8Array(16).fill(7));
    const copy = secret.use((outer) => {
      expect(secret.use((inner) => inner === outer)).toBe(true); // the native host lends one view per secret
      return SecureBuffer.from(outer); // after the inner call returned: still open, so copied
    });
    expect(copy.use((view) => Array.from(view))).toEqual(new Array(16).fill(7));
    // Control: once the outer call has returned, the same view is refused.
    const kept = secret.use((outer) => {
      secret.use(() => 0);
      return outer;
    });
    expect(errorOf(() => SecureBuffer.from(kept))?.code).toBe('ACCESS_DENIED');
    // Lent again by the next use() it is live again: the secret's pages are open for that call.
    const again = secret.use(() => SecureBuffer.from(kept));
    expect(again.use((view) => view[15])).toBe(7);
    for (const buffer of [again, copy, secret]) buffer.dispose();
  });

  it(
    'a view kept from a freed heap secret is not lent to the next secret ' +
      "in its slot, and stays ACCESS_DENIED during that secret's use()",
    () => {
      const heap = new SecureHeap({ arenaSize: 16 * 1024 });
      const first = heap.from(new Uint8Array(32).fill(0x41));
      // Control: during its own call the view copies (it is live).
      const own = first.use((view) => SecureBuffer.from(view));
      expect(own.use((view) => view[0])).toBe(0x41);
      const kept = first.use((view) => view);
      first.dispose();
      heap.flush();
      // Slots are reused FIFO: allocate on the same page until another owner's secret lands in the freed
      // slot (the page is open during each use(), so reading the kept view there cannot fault).
      const others: SecureBuffer[] = [];
      let next: SecureBuffer | undefined;
      let seen: { same: boolean; reach: number; copy: string | undefined } | undefined;
      while (next === undefined && others.length < 512) {
        const candidate = heap.from(new Uint8Array(32).fill(0x42));
        others.push(candidate);
        const look = candidate.use((view) => ({
          same: view === kept,
          // Control: the kept view reaches the new secret's bytes once it lands in the slot.
          reach: kept[0],
          copy: errorOf(() => SecureBuffer.from(kept).dispose())?.code,
        }));
        if (look.reach === 0x42) [next, seen] = [candidate, look];
      }
      expect(next).toBeDefined();
      if (next === undefined) return;
      expect(seen).toEqual({ same: false, reach: 0x42, copy: 'ACCESS_DENIED' });
      // The new secret's own view still re-lends and copies during its calls.
      const lent = next.use((view) => view);
      expect(next.use((view) => view === lent)).toBe(true);
      const copied = next.use(() => SecureBuffer.from(lent));
      expect(copied.use((view) => view[31])).toBe(0x42);
      for (const buffer of [own, copied, ...others]) buffer.dispose();
      heap.destroy();
    },
  );
});
