// The quarantine of freed secrets' address ranges (assembly/quarantine.ts decides; this module
// sets its cap and reads its figures). When a SecureBuffer (or a heap secret with a region of its
// own) is freed, its pages are wiped and given back but its address range stays reserved and
// inaccessible, oldest first, up to a cap in bytes of address space: a view kept past use() then
// faults instead of reading whatever secret the next allocation put at that address.
// docs/stale-views.md says what holds in each mode.
import { invalidArgument } from './errors.js';
import { QuarantineStat } from './generated/core-numbers.js';
import { readOptions } from '../shared/options.js';
import { describeValue } from './validate.js';
import { forEachSecureCore, hostFromOptions, secureCoreFor, setQuarantineCapEverywhere } from './secure-core.js';

/** What configureQuarantine takes. */
export interface QuarantineOptions {
  /**
   * Bytes of address space freed secrets' ranges may hold (default 16 MiB, about 1,365 small
   * SecureBuffers of 3 pages each). Past it, the oldest ranges are unmapped and their addresses
   * may be reused. 0 turns the quarantine off (freed ranges are unmapped at once).
   */
  maxBytes: number;
}

/** The quarantine of one host's secure core now. */
export interface QuarantineStats {
  /** Freed ranges held (reserved, NoAccess, holding no memory). */
  ranges: number;
  /** Bytes of address space they hold. */
  bytes: number;
  /** The cap on `bytes`. */
  maxBytes: number;
  /** Ranges unmapped so far because the cap (or the 4,096-range ring) was full, or at a drain. */
  evicted: number;
}

/**
 * Sets how much address space the quarantine of freed secrets may hold, for every SecureBuffer and
 * SecureHeap of the process (each host's, now and to come). Lowering it unmaps the oldest ranges at once.
 *
 * @param options - `{ maxBytes }`: a whole number of bytes, 0 to 2^53 − 1 (0: no quarantine)
 * @throws {MemoryProtectionError} INVALID_ARGUMENT for anything else
 * @example
 * // A long-running service that frees many large secrets: hold up to 256 MiB of freed ranges.
 * configureQuarantine({ maxBytes: 256 * 1024 * 1024 });
 */
export function configureQuarantine(options: QuarantineOptions): void {
  if (options === undefined)
    throw invalidArgument('configureQuarantine needs an object { maxBytes: number }, got undefined');
  const { maxBytes } = readOptions<QuarantineOptions>(options, 'configureQuarantine options', ['maxBytes']);
  if (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw invalidArgument(
      `configureQuarantine: maxBytes must be a whole number of ` +
        `bytes from 0 to 2^53 - 1, got ${describeValue(maxBytes)}`,
    );
  }
  setQuarantineCapEverywhere(maxBytes);
}

/**
 * The quarantine's figures for the secrets of one host (this platform's native host by default).
 *
 * @param options - `{ host? }`: a simulated host, to read its core's quarantine
 * @returns ranges and bytes held, the cap, and how many ranges were unmapped to make room
 * @throws {MemoryProtectionError} INVALID_ARGUMENT when `host` is not a host
 */
export function quarantineStats(options?: { host?: unknown }): QuarantineStats {
  const { host } = readOptions<{ host?: unknown }>(options, 'quarantineStats options', ['host']);
  const core = secureCoreFor(hostFromOptions(host, 'quarantineStats'));
  const stat = (field: number) => core.exports.quarantineStat(field);
  return {
    ranges: stat(QuarantineStat.ranges),
    bytes: stat(QuarantineStat.bytes),
    maxBytes: stat(QuarantineStat.capBytes),
    evicted: stat(QuarantineStat.evicted),
  };
}

/** Unmaps every held range of every secure core (a purge; the exit wipe drains in the core). Returns how many. */
export function drainQuarantines(): number {
  let drained = 0;
  forEachSecureCore((core) => {
    drained += core.exports.quarantineDrain() >>> 0;
  });
  return drained;
}
