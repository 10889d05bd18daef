// The compiled Wasm core, from the bytes embedded in src/generated/core-wasm.ts: every runtime
// that may compile Wasm at run time (Node, Bun, Deno, browsers) takes this one. workerd may not;
// under its condition package.json "imports" gives runtime/core-module-workerd.js instead.
import { coreWasmBase64 } from './generated/core-wasm.js';

// Declared here, not taken from the DOM lib (as src/core.ts does for Instance).
const { Module } = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } })
  .WebAssembly;

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The core's module, compiled once at import: every core instance shares it. */
export const coreModule: object = new Module(decodeBase64(coreWasmBase64));
