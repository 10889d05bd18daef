// Writes through a raw pointer with koffi, as native code would: how the contract cases damage a
// canary on a real host.
import { createRequire } from 'node:module';

export function koffiWrite(address: bigint, bytes: Uint8Array): void {
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  new Uint8Array(koffi.view(address, bytes.length)).set(bytes);
}
