// The native host where there is none: browsers, Web Workers and edge runtimes (workerd). The
// package's `#native-host` import points here under the `browser`, `worker` and `workerd`
// conditions, so bundles for those runtimes carry no koffi and no native host code; the main
// entry still loads, and a native call fails with NOT_SUPPORTED (src/default-memory.ts).
import type { ThreadRegionCalls } from './linux-thread-regions.js';
import type { PlatformEntry } from './platforms.js';
import type { Host } from './types.js';

/** No platform has a native host in this build. */
export const NATIVE_PLATFORMS = [] as const;

/** Always throws: this runtime has no OS memory calls memshield can reach. */
export function createNativeHost(): Host {
  throw new Error(
    'no native memshield host in a browser, Web Worker or edge runtime ' +
      'build; use createSimulatedHost() from memshield/testing there',
  );
}

/** No calls on other threads' regions: there is no native memory to give back. */
export function createNativeThreadRegions(): ThreadRegionCalls | undefined {
  return undefined;
}

/** The platform's name where the runtime says one (a worker in Node may bundle for `worker`). */
export function runningPlatform(): string | undefined {
  return (globalThis as { process?: { platform?: string } }).process?.platform;
}

/** No registry entry: no platform's calls are in this build. */
export function platformEntry(): PlatformEntry | undefined {
  return undefined;
}
