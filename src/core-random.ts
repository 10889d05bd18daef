// Random bytes for the core (its canary). The host never sees core memory: it fills a fresh
// array of this module's own, whose real length is read through the captured getter, and the
// bytes go into core memory through the captured %TypedArray%.prototype.set, then the array is
// wiped. So a host written in JS (the simulated host, a caller's own) or a built-in it calls
// (crypto.getRandomValues reads `byteLength` through the prototype as it is at call time) is
// never handed a view of the Wasm memory whose records hold every region's sizes and offsets.
import type { Host } from '../host/types.js';
import { byteLengthOf, fillBytes, isInteger, setBytes } from '../shared/intrinsics.js';

const NativeUint8Array = Uint8Array;
/** What the core hears when a host answers with something that is not an error number (EINVAL). */
const NOT_AN_ERROR_NUMBER = 22;

/**
 * Fills `coreView` (a view of core memory, never passed on) with `host`'s random bytes.
 * Returns 0, or the host's error number for the core to report.
 */
export function drawRandomInto(host: Host, coreView: Uint8Array, length: number): number {
  const fresh = new NativeUint8Array(length);
  try {
    const result: unknown = host.randomBytes(fresh);
    // Hosts written before randomBytes returned a status answer undefined: the core's
    // all-zero check still catches one that filled nothing.
    if (result !== undefined && result !== 0) {
      return isInteger(result) && (result as number) > 0 ? (result as number) : NOT_AN_ERROR_NUMBER;
    }
    if (byteLengthOf(fresh) !== length) return NOT_AN_ERROR_NUMBER; // detached by the host: nothing to copy
    setBytes(coreView, fresh);
    return 0;
  } finally {
    if (byteLengthOf(fresh) === length) fillBytes(fresh, 0); // the canary stays in core memory only
  }
}
