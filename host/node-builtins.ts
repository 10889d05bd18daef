// Node built-ins, reached without a static `import 'node:…'` so that memshield's entry point
// still loads where there are none (browsers): only creating a native host needs them.
import type * as EventsModule from 'node:events';
import type * as FsModule from 'node:fs';
import type * as ModuleModule from 'node:module';
import type * as OsModule from 'node:os';
import type * as TtyModule from 'node:tty';
import type * as WorkerThreadsModule from 'node:worker_threads';

type Builtins = {
  'node:events': typeof EventsModule;
  'node:fs': typeof FsModule;
  'node:module': typeof ModuleModule;
  'node:os': typeof OsModule;
  'node:tty': typeof TtyModule;
  'node:worker_threads': typeof WorkerThreadsModule;
};

/** A Node built-in module (Node >= 20.16, Bun and Deno provide `process.getBuiltinModule`). */
export function builtin<K extends keyof Builtins>(name: K): Builtins[K] {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof get !== 'function') {
    throw new Error(`memshield: ${name} is not available in this runtime; use createSimulatedHost() here`);
  }
  return get(name) as Builtins[K];
}

/**
 * koffi, loaded on first use. Its bundled loader copies its exports with `for…in`, which also
 * walks keys a prototype pollution added to Object.prototype, and then throws ("Getter must be a
 * function"). Such keys are made non-enumerable while koffi loads, and enumerable again after.
 */
export function loadKoffi(): typeof import('koffi') {
  const require = builtin('node:module').createRequire(import.meta.url);
  return withPollutionHidden(() => require('koffi') as typeof import('koffi'));
}

/** Runs `load` with Object.prototype's enumerable own keys (none, unless polluted) hidden from for…in. */
function withPollutionHidden<T>(load: () => T): T {
  const proto = Object.prototype;
  const hidden: PropertyKey[] = [];
  for (const key of Reflect.ownKeys(proto)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(proto, key);
    if (descriptor?.enumerable && descriptor.configurable) {
      Reflect.defineProperty(proto, key, { __proto__: null, enumerable: false } as PropertyDescriptor);
      hidden.push(key);
    }
  }
  try {
    return load();
  } finally {
    for (const key of hidden)
      Reflect.defineProperty(proto, key, { __proto__: null, enumerable: true } as PropertyDescriptor);
  }
}
