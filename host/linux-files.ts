// Reading the kernel's text files (/proc, /sys) on Linux: shared by the host, its memory-room
// query and the doctor.
import { builtin } from './node-builtins.js';

/** Reads a /proc or /sys file; undefined if it is not there. */
export function readKernelFile(path: string): string | undefined {
  try {
    return builtin('node:fs').readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A `Key:   123 kB` field of /proc/meminfo or /proc/self/status, in bytes (or the bare number). */
export function procField(text: string | undefined, key: string): number | undefined {
  const match = text && new RegExp(`^${key}:\\s*(\\d+)(\\s*kB)?`, 'm').exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (match[2] ? 1024 : 1);
}
