// The options of createSimulatedHost, their defaults, and their checks.
import { invalidArgument } from '../../shared/errors.js';
import { describeValue } from '../../shared/describe-value.js';
import { readOptions } from '../../shared/options.js';
import type { HostCapabilities } from '../types.js';
import { FaultPlan, type SimulatedFault } from './faults.js';

/** What became of a mapping's bytes when it was unmapped (see `host.unmapped()`). */
export interface UnmapRecord {
  /** The host's id for the mapping. */
  id: number;
  address: bigint;
  /** Bytes, guard pages included. */
  length: number;
  /** Bytes that were not zero at unmap: 0 when everything was wiped. */
  nonZeroBytes: number;
  /** Offset of the first non-zero byte, when there was one. */
  firstNonZeroOffset?: number;
  /**
   * Present (true) when the bytes were given back by `decommit`, which keeps the address range
   * reserved: its later `unmap` gives nothing back and adds no record.
   */
  reserved?: true;
}

/** Options of {@link createSimulatedHost}. */
export interface SimulatedHostOptions {
  /** The page size in bytes: a power of two from 1024 to 2^30 (default 4096). */
  pageSize?: number;
  /** RLIMIT_MEMLOCK in bytes (default Infinity: unlimited). 0 makes every lock fail with EPERM. */
  memlockLimit?: number;
  /** vm.max_map_count: the most VMAs this host's mappings may form (default Infinity). */
  maxMappings?: number;
  /**
   * Memory this simulated machine can still commit before any page is touched, in bytes (default
   * Infinity): `memoryRoom()` answers this less the pages touched since (Linux's MemAvailable).
   */
  availableMemory?: number;
  /** Seed of the random bytes (canaries): an integer or a bigint (default 0). */
  seed?: number | bigint;
  /** Scripted failures, e.g. `[{ op: 'lock', nth: 3, errno: 'EPERM' }]`. */
  faults?: SimulatedFault[];
  /**
   * What the simulated machine offers, over the defaults `{ lock: true, dontDump: true,
   * dontFork: true, explicitHugePages: false, transparentHugePages: true, hugePageSize: 2 MiB,
   * secretMemory: false }`. `secretMemory: true` gives it memfd_secret (see docs/secret-memory.md).
   */
  capabilities?: Partial<HostCapabilities>;
  /** Called at every unmap with the record and a copy of the mapping's bytes as they were. */
  onUnmap?: (record: UnmapRecord, bytes: Uint8Array) => void;
}

/** The options, checked and completed. */
export interface SimulatedSettings {
  pageSize: number;
  memlockLimit: number;
  maxMappings: number;
  availableMemory: number;
  seed: bigint;
  faults: FaultPlan;
  capabilities: HostCapabilities;
  onUnmap?: (record: UnmapRecord, bytes: Uint8Array) => void;
}

const KNOWN_OPTIONS = [
  'pageSize',
  'memlockLimit',
  'maxMappings',
  'availableMemory',
  'seed',
  'faults',
  'capabilities',
  'onUnmap',
] as const;
const CAPABILITY_FLAGS = [
  'lock',
  'dontDump',
  'dontFork',
  'explicitHugePages',
  'transparentHugePages',
  'secretMemory',
] as const;
const DEFAULT_HUGE_PAGE = 2 * 1024 * 1024;

const isPowerOfTwo = (value: number) => Number.isSafeInteger(value) && value > 0 && (value & (value - 1)) === 0;

/** A byte or count limit: a non-negative integer, or Infinity. */
function limit(value: unknown, name: string, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw invalidArgument(
      `${name} must be an integer of at least ${minimum}, or Infinity for no limit; got ${describeValue(value)}`,
    );
  }
  return value;
}

/** Checks the options and fills in the defaults. */
export function settingsOf(given?: SimulatedHostOptions): SimulatedSettings {
  const options = readOptions<SimulatedHostOptions>(given, 'createSimulatedHost options', KNOWN_OPTIONS);
  const pageSize = options.pageSize ?? 4096;
  if (!isPowerOfTwo(pageSize) || pageSize < 1024 || pageSize > 2 ** 30) {
    throw invalidArgument(
      `pageSize must be a power of two from 1024 to 2^30 (4096, 16384 and ` +
        `65536 are the real ones), got ${describeValue(options.pageSize)}`,
    );
  }
  const seed = options.seed ?? 0;
  if (!(typeof seed === 'bigint' || (typeof seed === 'number' && Number.isSafeInteger(seed)))) {
    throw invalidArgument(`seed must be an integer or a bigint, got ${describeValue(seed)}`);
  }
  if (options.onUnmap !== undefined && typeof options.onUnmap !== 'function') {
    throw invalidArgument('onUnmap must be a function (record, bytes) => void');
  }
  return {
    pageSize,
    memlockLimit: limit(options.memlockLimit, 'memlockLimit', Number.POSITIVE_INFINITY, 0),
    maxMappings: limit(options.maxMappings, 'maxMappings', Number.POSITIVE_INFINITY, 1),
    availableMemory: limit(options.availableMemory, 'availableMemory', Number.POSITIVE_INFINITY, 0),
    seed: BigInt(seed),
    faults: new FaultPlan(options.faults ?? []),
    capabilities: capabilitiesOf(options.capabilities, pageSize),
    onUnmap: options.onUnmap,
  };
}

function capabilitiesOf(overrides: Partial<HostCapabilities> | undefined, pageSize: number): HostCapabilities {
  const capabilities: HostCapabilities = {
    lock: true,
    dontDump: true,
    dontFork: true,
    explicitHugePages: false,
    transparentHugePages: true,
    hugePageSize: Math.max(DEFAULT_HUGE_PAGE, pageSize),
    // Off unless asked for: traces that users pin stay as they were (docs/secret-memory.md).
    secretMemory: false,
  };
  // readOptions has refused every other key: each one here is a flag or hugePageSize.
  const given = readOptions<HostCapabilities>(overrides, 'capabilities', [...CAPABILITY_FLAGS, 'hugePageSize']);
  if (given.hugePageSize !== undefined) {
    const value = given.hugePageSize;
    if (typeof value !== 'number' || !isPowerOfTwo(value) || value < pageSize || value > 2 ** 30) {
      throw invalidArgument(
        `capabilities.hugePageSize must be a power of two from the ` +
          `page size (${pageSize}) to 2^30, got ${describeValue(value)}`,
      );
    }
    capabilities.hugePageSize = value;
  }
  for (const key of CAPABILITY_FLAGS) {
    const value = given[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean')
      throw invalidArgument(`capabilities.${key} must be true or false, got ${describeValue(value)}`);
    capabilities[key] = value;
  }
  return capabilities;
}
