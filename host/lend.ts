// What every native host lends in the same way: zero-copy views of native memory (koffi) and
// cryptographic random bytes (Web Crypto). Everything called here per call was captured when this
// module loaded (koffi.view: when koffi was loaded, host/node-builtins.ts): code that replaces
// globalThis.Uint8Array, crypto.getRandomValues or koffi.view later is never handed a view of
// secret pages nor the bytes to fill.
import { uncurry } from '../shared/intrinsics.js';
import { koffiViewOf, type loadKoffi } from './node-builtins.js';

type Koffi = ReturnType<typeof loadKoffi>;

const NativeUint8Array = Uint8Array;
const webCrypto = globalThis.crypto as Crypto | undefined;
const getRandomValues =
  webCrypto && uncurry(webCrypto.getRandomValues as (this: never, target: Uint8Array<ArrayBuffer>) => unknown);

/** koffi.view of the koffi instance used last (one per process in practice), as captured at its load. */
let viewsOf: Koffi | undefined;
let viewOn: ReturnType<typeof koffiViewOf> | undefined;

/** A zero-copy view of native memory, or undefined where the runtime forbids external buffers (Electron). */
export function lendView(koffi: Koffi, address: bigint, length: number): Uint8Array | undefined {
  try {
    if (koffi !== viewsOf) {
      viewOn = koffiViewOf(koffi);
      viewsOf = koffi;
    }
    return new NativeUint8Array(viewOn!(koffi, address, length));
  } catch {
    return undefined;
  }
}

/** Fills `target` with cryptographic random bytes. */
export function fillRandom(target: Uint8Array): void {
  if (getRandomValues) getRandomValues(webCrypto, target as Uint8Array<ArrayBuffer>);
  // no Web Crypto at load: as the runtime has it now
  else globalThis.crypto.getRandomValues(target as Uint8Array<ArrayBuffer>);
}
