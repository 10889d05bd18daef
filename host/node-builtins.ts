// Node built-ins, reached without a static `import 'node:…'` so that memshield's entry point
// still loads where there are none (browsers): only creating a native host needs them.
import type * as EventsModule from 'node:events';
import type * as FsModule from 'node:fs';
import type * as ModuleModule from 'node:module';
import type * as OsModule from 'node:os';
import type * as TtyModule from 'node:tty';
import type * as WorkerThreadsModule from 'node:worker_threads';
import { uncurry, weakGet, weakSet } from '../shared/intrinsics.js';

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

type Koffi = typeof import('koffi');
/** `koffi.view(address, length)` as a plain function of (koffi, address, length). */
export type KoffiView = (self: unknown, address: bigint, length: number) => ArrayBuffer;

/** koffi.view of each koffi instance, captured when the instance was loaded. */
const koffiViews = new WeakMap<object, KoffiView>();

/**
 * koffi, loaded on first use. Its bundled loader copies its exports with `for…in`, which also
 * walks keys a prototype pollution added to Object.prototype, and then throws ("Getter must be a
 * function"). Such keys are made non-enumerable while koffi loads, and enumerable again after.
 * Its `view` is captured at the first load: code that replaces koffi.view later is never handed a
 * view of secret pages (host/lend.ts lends through the captured one).
 */
export function loadKoffi(): Koffi {
  const require = builtin('node:module').createRequire(import.meta.url);
  const koffi = withPollutionHidden(() => require('koffi') as Koffi);
  if (weakGet(koffiViews, koffi) === undefined) captureView(koffi);
  return koffi;
}

/**
 * The koffi.view captured when `koffi` was loaded. An instance loadKoffi never loaded (a test's
 * stand-in) has its view captured now, once.
 */
export function koffiViewOf(koffi: Koffi): KoffiView {
  return weakGet(koffiViews, koffi) ?? captureView(koffi);
}

function captureView(koffi: Koffi): KoffiView {
  const view = uncurry(koffi.view as (this: never, address: bigint, length: number) => ArrayBuffer);
  weakSet(koffiViews, koffi, view);
  return view;
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
