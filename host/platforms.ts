// The platform registry: for each platform memshield runs natively on, the files that do its OS
// calls — the host (memory), hardenProcess's steps, the doctor's facts, the calls on other threads'
// regions, the ways secrets come in (files, terminal, environment). host/native.ts, the doctor,
// hardenProcess and the ways in (src/platform-calls.ts) all choose through here.
// Adding a platform is one line here (docs/adding-a-host.md).
import { createDarwinHost } from './darwin.js';
import type { MachineFacts } from './facts.js';
import { gatherLinuxFacts } from './facts-linux.js';
import { hardenDarwin } from './harden/darwin.js';
import { hardenLinux } from './harden/linux.js';
import type { HardeningGoal, HardeningStep, LiveMapping } from './harden/report.js';
import { hardenWin32 } from './harden/win32.js';
import { createLinuxHost, LINUX_CONSTANTS } from './linux.js';
import { bindThreadRegions, type ThreadRegionCalls } from './linux-thread-regions.js';
import type { Host } from './types.js';
import { createWin32Host } from './win32.js';
import { NODE_FILE_CALLS, type FileCalls } from './descriptors.js';
import { NODE_TERMINAL_CALLS, type TerminalCalls } from './terminal.js';
import { LINUX_ENVIRONMENT, type EnvironmentAccess } from './environ.js';

/** The facts every platform has, which the doctor gathers itself. */
export type CommonFacts = 'platform' | 'arch' | 'kernel' | 'runtime' | 'secretBacking';

/** What one platform provides. */
export interface PlatformEntry {
  /** The native host. Throws if koffi or the system library cannot be loaded. */
  createHost(): Host;
  /** hardenProcess's OS steps for `goals`; `liveMappings` lists the live Secure mappings. */
  harden(goals: HardeningGoal[], liveMappings: () => LiveMapping[]): HardeningStep[];
  /** The doctor's machine facts; absent: only what the host API tells. */
  gatherFacts?(): Omit<MachineFacts, CommonFacts>;
  /** The calls on other threads' regions (when a worker ends); absent where there are none. */
  threadRegions?(): ThreadRegionCalls;
  /** Reading files and descriptors into a secret's pages (secretFromFile, readPassword); absent: NOT_SUPPORTED. */
  files?: FileCalls;
  /** Echo off and the prompt for readPassword; absent: NOT_SUPPORTED. */
  terminal?: TerminalCalls;
  /** The environment block other processes read, scrubbed in place (secretFromEnv); absent: process.env alone. */
  environment?: EnvironmentAccess;
}

/** Every platform with a native host in this build. */
export const PLATFORMS: Readonly<Record<string, PlatformEntry>> = Object.freeze({
  linux: {
    createHost: createLinuxHost,
    harden: hardenLinux,
    gatherFacts: gatherLinuxFacts,
    threadRegions: () => bindThreadRegions(LINUX_CONSTANTS.libc),
    // Node's fs and tty are portable, but only Linux runs the ways-in tests: elsewhere NOT_SUPPORTED until they do.
    files: NODE_FILE_CALLS,
    terminal: NODE_TERMINAL_CALLS,
    environment: LINUX_ENVIRONMENT,
  },
  darwin: { createHost: createDarwinHost, harden: hardenDarwin },
  win32: { createHost: createWin32Host, harden: hardenWin32 },
});

/** The platform this process runs on (process.platform), or undefined outside Node, Bun and Deno. */
export function runningPlatform(): string | undefined {
  return (globalThis as { process?: { platform?: string } }).process?.platform;
}

/** The registry entry of `platform` (this one by default), or undefined where memshield has none. */
export function platformEntry(platform = runningPlatform()): PlatformEntry | undefined {
  return platform !== undefined && Object.hasOwn(PLATFORMS, platform) ? PLATFORMS[platform] : undefined;
}
