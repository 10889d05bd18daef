// A consumer of memshield, as users write one: compiled by test/types/consumer.test.ts with
// TypeScript 5.9 and 7, as ESM and as CommonJS, against the packed package, then run. It prints
// one JSON line the test checks; every annotation below is a claim about inference.
import { MemoryProtectionError, SecureBuffer, SecureHeap } from 'memshield';

/** true only when A and B are the same type (not merely assignable: `any` would pass an annotation). */
type Exactly<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

const lines: string[] = [];
let kept: SecureBuffer;
{
  using key = SecureBuffer.alloc(32);
  kept = key;
  const updated = key.update((view) => {
    view.fill(7);
  });
  const first = key.use((view) => view[0]); // the callback's result type comes through…
  const label = key.use((view) => (view.length > 16 ? 'long' : 'short') as 'long' | 'short');
  const copy: Uint8Array = key.use((view) => view.slice()); // a copy may leave; the view may not
  const same = key.equals(copy);
  // …exactly
  const inferred: [
    Exactly<typeof first, number>,
    Exactly<typeof label, 'long' | 'short'>,
    Exactly<typeof updated, void>,
    Exactly<typeof same, boolean>,
  ] = [true, true, true, true];
  void inferred;
  lines.push(`inside: first ${first}, copy ${copy.length} bytes, equal ${same}`);
}
lines.push(`after the block: disposed ${kept.disposed}`);

let heapKept: SecureHeap;
let secretKept: SecureBuffer;
{
  using heap = new SecureHeap({ arenaSize: 4096 });
  heapKept = heap;
  secretKept = heap.alloc(16);
}
lines.push(`after the heap's block: destroyed ${heapKept.destroyed}, its secret disposed ${secretKept.disposed}`);

try {
  kept.use((view) => view[0]);
} catch (error) {
  if (error instanceof MemoryProtectionError) lines.push(`use after the block: ${error.code}`);
}
console.log(JSON.stringify(lines));
