// What every native host lends in the same way: zero-copy views of native memory (koffi).
// Everything called here per call was captured when this module loaded (koffi.view: when koffi
// was loaded, host/node-builtins.ts): code that replaces globalThis.Uint8Array or koffi.view later
// is never handed a view of secret pages. (Random bytes come from the OS through koffi, not from
// crypto.getRandomValues, which reads `byteLength` through the prototype as it is at call time:
// posix-random.ts, win32-random.ts.)
import { koffiViewOf, type loadKoffi } from './node-builtins.js';

type Koffi = ReturnType<typeof loadKoffi>;

const NativeUint8Array = Uint8Array;

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
