// The Wasm core with no host behind it: every host import throws. For pure functions of the
// core (layout planning) that must never reach the host.
import { coreWasmBase64 } from '../../src/generated/core-wasm.js';
import type { CoreExports } from '../../src/core.js';

export function bareCore(): CoreExports {
  const bytes = Uint8Array.from(atob(coreWasmBase64), (c) => c.charCodeAt(0));
  const refuse = (name: string) => () => {
    throw new Error(`layout planning must not call the host (${name})`);
  };
  const names = [
    'map',
    'unmap',
    'protect',
    'lock',
    'unlock',
    'advise',
    'fill',
    'copy_in',
    'copy_out',
    'core_in',
    'core_out',
    'random_bytes',
    'map_secret',
    'memory_room',
    'decommit',
  ];
  const host = Object.fromEntries(names.map((name) => [name, refuse(name)]));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { host, env: { abort: refuse('abort') } });
  return instance.exports as unknown as CoreExports;
}
