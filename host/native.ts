// Picks this platform's host: a pure dispatch on process.platform, no logic of its own.
import { createDarwinHost } from './darwin.js';
import { createLinuxHost, LINUX_CONSTANTS } from './linux.js';
import { bindThreadRegions, type ThreadRegionCalls } from './linux-thread-regions.js';
import type { Host } from './types.js';
import { createWin32Host } from './win32.js';

/** The platforms with a native host in this build. */
export const NATIVE_PLATFORMS = ['linux', 'darwin', 'win32'] as const;

/** Creates the host for this platform; throws an Error naming the platform if there is none. */
export function createNativeHost(): Host {
  const platform = (globalThis as { process?: { platform?: string } }).process?.platform;
  switch (platform) {
    case 'linux':
      return createLinuxHost();
    case 'darwin':
      return createDarwinHost();
    case 'win32':
      return createWin32Host();
    default:
      throw new Error(`no native memshield host for platform ${platform ?? '(not Node, Bun or Deno)'}; supported: ${NATIVE_PLATFORMS.join(', ')}. Use createSimulatedHost() for tests.`);
  }
}

/** The calls on other threads' regions where this platform has them (Linux), else undefined. */
export function createNativeThreadRegions(): ThreadRegionCalls | undefined {
  const platform = (globalThis as { process?: { platform?: string } }).process?.platform;
  return platform === 'linux' ? bindThreadRegions(LINUX_CONSTANTS.libc) : undefined;
}
