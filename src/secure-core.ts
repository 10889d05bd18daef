// The core instance behind SecureBuffer and SecureHeap: one per host, shared by every secret and
// heap on it (so one process-exit wipe reaches them all). Separate from PlatformMemory's cores.
import type { Host } from '../host/types.js';
import { bindCore, type BoundCore } from './core.js';
import type { SecureCoreExports } from './core-exports.js';
import { Option } from './generated/core-numbers.js';

export type { SecureCoreExports } from './core-exports.js';
import { nativeHost } from './default-memory.js';
import { invalidArgument } from './errors.js';
import { newSet, setAdd, setForEach, setSize, weakGet, weakSet } from '../shared/intrinsics.js';
import { isHost } from './validate.js';
import type { SecretMemoryPolicy } from './levels.js';

/** The secretCreate/heapCreate option bits of a secretMemory policy. */
export function secretMemoryOption(policy: SecretMemoryPolicy): number {
  return policy === 'required' ? Option.SECRET_REQUIRED : policy === 'preferred' ? Option.SECRET_PREFERRED : 0;
}

/** The secretMemory policy of the option bits a heap was made with (heapStat secretPolicy). */
export function secretMemoryPolicyOf(bits: number): SecretMemoryPolicy {
  return bits & Option.SECRET_REQUIRED ? 'required' : bits & Option.SECRET_PREFERRED ? 'preferred' : 'off';
}

/** A core bound to a host, with the secret entry points typed. */
export interface SecureCore {
  readonly host: Host;
  readonly exports: SecureCoreExports;
  /** Runs `call` with `buffer` as the source or target of the core's byte copies. */
  withStaged<T>(buffer: Uint8Array, call: () => T): T;
}

const cores = new WeakMap<Host, SecureCore>();
/**
 * Every secure core made so far, for the process-exit wipe and purge: read and written only
 * through the Set methods captured at load, so a replaced Set.prototype.add or iterator cannot
 * keep a core out of the wipe.
 */
const secureCores = newSet<SecureCore>();

/** Calls `visit` with every secure core made so far. */
export function forEachSecureCore(visit: (core: SecureCore) => void): void {
  setForEach(secureCores, visit);
}

/** How many secure cores there are (0 until the first secret or heap). */
export function secureCoreCount(): number {
  return setSize(secureCores);
}
/** The quarantine cap configureQuarantine set, for cores made later (undefined: the core's default). */
let quarantineCap: number | undefined;

/** Sets the quarantine cap of every secure core, now and to come (a checked byte count). */
export function setQuarantineCapEverywhere(bytes: number): void {
  quarantineCap = bytes;
  forEachSecureCore((core) => core.exports.quarantineSetCap(bytes));
}

/** The shared secure core of `host` (made on first use). */
export function secureCoreFor(host: Host): SecureCore {
  let core = weakGet(cores, host);
  if (!core) {
    const bound: BoundCore = bindCore(host);
    core = { host, exports: bound.exports as SecureCoreExports, withStaged: bound.withStaged };
    if (quarantineCap !== undefined) core.exports.quarantineSetCap(quarantineCap);
    weakSet(cores, host, core);
    setAdd(secureCores, core);
  }
  return core;
}

/** The host of an options object, or this platform's native host. */
export function hostFromOptions(host: unknown, what: string): Host {
  if (host === undefined) return nativeHost();
  if (!isHost(host)) {
    throw invalidArgument(
      `${what}: options.host must be a host (createSimulatedHost() or ` +
        `the native one), got ${host === null ? 'null' : typeof host}`,
    );
  }
  return host as Host;
}
