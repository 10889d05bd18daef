// What every native host lends in the same way: zero-copy views of native memory (koffi) and
// cryptographic random bytes (Web Crypto).
import type { loadKoffi } from './node-builtins.js';

/** A zero-copy view of native memory, or undefined where the runtime forbids external buffers (Electron). */
export function lendView(koffi: ReturnType<typeof loadKoffi>, address: bigint, length: number): Uint8Array | undefined {
  try {
    return new Uint8Array(koffi.view(address, length));
  } catch {
    return undefined;
  }
}

/** Fills `target` with cryptographic random bytes. */
export function fillRandom(target: Uint8Array): void {
  globalThis.crypto.getRandomValues(target as Uint8Array<ArrayBuffer>);
}
