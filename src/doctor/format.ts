// Small formatters shared by the text and JSON reports: byte counts, limits and addresses.

export type { Limit } from '../../host/facts.js';
import type { Limit } from '../../host/facts.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `4096` → `4 KiB`, `8388608` → `8 MiB`, `4064` → `4064 B`: the largest unit that keeps the count exact. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && value % 1024 === 0 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value} ${UNITS[unit]}`;
}

/** A limit as bytes (`8 MiB`) or `unlimited`. */
export function formatLimit(limit: Limit): string {
  return limit === 'unlimited' ? 'unlimited' : formatBytes(limit);
}

/** An address as the kernel prints it in /proc/self/maps, with a 0x prefix. */
export function hex(address: bigint): string {
  return `0x${address.toString(16)}`;
}

export { limitOf } from '../../host/facts.js';
