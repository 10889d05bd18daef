// Node built-ins, reached without a static `import 'node:…'` so that memshield's entry point
// still loads where there are none (browsers): only creating a native host needs them.
import type * as FsModule from 'node:fs';
import type * as ModuleModule from 'node:module';
import type * as OsModule from 'node:os';

type Builtins = { 'node:fs': typeof FsModule; 'node:module': typeof ModuleModule; 'node:os': typeof OsModule };

/** A Node built-in module (Node >= 20.16, Bun and Deno provide `process.getBuiltinModule`). */
export function builtin<K extends keyof Builtins>(name: K): Builtins[K] {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof get !== 'function') {
    throw new Error(`memshield: ${name} is not available in this runtime; use createSimulatedHost() here`);
  }
  return get(name) as Builtins[K];
}

/** koffi, loaded on first use. */
export function loadKoffi(): typeof import('koffi') {
  const require = builtin('node:module').createRequire(import.meta.url);
  return require('koffi') as typeof import('koffi');
}
