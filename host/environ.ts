// The environment block where the platform exposes it to other processes. Linux: the initial
// block behind /proc/PID/environ (linux-environ.ts), handed out by the platform registry
// (platforms.ts). Elsewhere there is no such file, and memshield reads process.env and deletes
// the variable from it (secret-from-env.ts).
import * as linux from './linux-environ.js';

/** What the platform offers: a zero-copy view of a value and an in-place scrub, or nothing. */
export interface EnvironmentAccess {
  withValue<T>(name: string, fn: (value: Uint8Array) => T): { result: T } | undefined;
  scrub(name: string, nameBytes: Uint8Array): number;
}

/** Linux's: libc's bytes and the initial block behind /proc/PID/environ (linux-environ.ts). */
export const LINUX_ENVIRONMENT: EnvironmentAccess = Object.freeze({
  withValue: linux.withEnvironmentValue,
  scrub: linux.scrubEnvironmentValue,
});
