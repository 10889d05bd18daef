// Creates this platform's host (and its calls on other threads' regions) from the registry
// (platforms.ts): a pure lookup, no logic of its own.
import { PLATFORMS, platformEntry, runningPlatform } from './platforms.js';
import type { ThreadRegionCalls } from './linux-thread-regions.js';
import type { Host } from './types.js';

export { platformEntry, runningPlatform } from './platforms.js';

/** The platforms with a native host in this build. */
export const NATIVE_PLATFORMS = Object.keys(PLATFORMS);

/** Creates the host for this platform; throws an Error naming the platform if there is none. */
export function createNativeHost(): Host {
  const entry = platformEntry();
  if (!entry) {
    throw new Error(
      `no native memshield host for platform ${runningPlatform() ?? '(not Node, Bun or Deno)'}; supported: ` +
        `${NATIVE_PLATFORMS.join(', ')}. Use createSimulatedHost() (memshield/testing) for tests.`,
    );
  }
  return entry.createHost();
}

/** The calls on other threads' regions where this platform has them (Linux), else undefined. */
export function createNativeThreadRegions(): ThreadRegionCalls | undefined {
  return platformEntry()?.threadRegions?.();
}
