// The ways secrets come in need OS calls beyond memory: reading files and descriptors, a terminal
// with echo off, the environment block. Each comes from the platform registry (host/platforms.ts,
// through '#native-host', which has no platform in browser and edge builds); a platform without
// one gets NOT_SUPPORTED naming it and what to do instead.
import { NATIVE_PLATFORMS, platformEntry, runningPlatform } from '#native-host';
import type { FileCalls } from '../host/descriptors.js';
import type { EnvironmentAccess } from '../host/environ.js';
import type { TerminalCalls } from '../host/terminal.js';
import { MemoryProtectionError } from './errors.js';

/** "darwin", or what this build is when it has no native platform at all. */
function platformName(): string {
  if (NATIVE_PLATFORMS.length === 0)
    return 'this build (for browsers, Web Workers and edge runtimes: no native platform)';
  return runningPlatform() ?? 'this runtime (not Node, Bun or Deno)';
}

function notSupported(what: string, instead: string): MemoryProtectionError {
  return new MemoryProtectionError(
    'NOT_SUPPORTED',
    `${what} is not supported on ${platformName()}: memshield does it on linux only so far. ${instead}`,
  );
}

/** The file calls of this platform. @throws {MemoryProtectionError} NOT_SUPPORTED where there are none */
export function fileCalls(what: string): FileCalls {
  const calls = platformEntry()?.files;
  if (!calls)
    throw notSupported(
      what,
      'Read the bytes into a Uint8Array yourself and pass it to ' +
        'SecureBuffer.from(bytes), which zeroes it after the copy.',
    );
  return calls;
}

/** The terminal calls of this platform. @throws {MemoryProtectionError} NOT_SUPPORTED where there are none */
export function terminalCalls(what: string): TerminalCalls {
  const calls = platformEntry()?.terminal;
  if (!calls)
    throw notSupported(
      what,
      'Read the password with your own prompt into a Uint8Array and pass ' +
        'it to SecureBuffer.from(bytes), which zeroes it after the copy.',
    );
  return calls;
}

/** The environment block access of this platform, or undefined (then process.env alone is used). */
export function environmentCalls(): EnvironmentAccess | undefined {
  return platformEntry()?.environment;
}
