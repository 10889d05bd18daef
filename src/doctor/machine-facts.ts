// What this machine offers for keeping secrets in memory, as `memshield doctor` reports it.
// The facts are OS calls, so one file per platform under host/ gathers them (facts-linux.ts),
// chosen through the platform registry (host/platforms.ts); the shapes are in host/facts.ts. A
// platform without its own file gets the facts the host API can tell and "not available" for the rest.
import { release } from 'node:os';
import { PlatformMemory, nativeHost } from '../default-memory.js';
import type { Limit } from './format.js';
import { platformEntry } from '../../host/platforms.js';
import type { Fact, MachineFacts, MemoryFacts, Unavailable } from '../../host/facts.js';

import { trySecretBacking } from './secret-backing.js';

export {
  isUnavailable,
  type Unavailable,
  type Fact,
  type MemlockFacts,
  type HugePageFacts,
  type MemfdSecretFacts,
  type CoreDumpFacts,
  type MappingFacts,
  type MemoryFacts,
  type MachineFacts,
  type HibernationFacts,
  type SecretBackingFacts,
} from '../../host/facts.js';

/** The facts every platform has, whatever gathers the rest. */
export function commonFacts(): Pick<MachineFacts, 'platform' | 'arch' | 'kernel' | 'runtime' | 'secretBacking'> {
  const versions = process.versions as Record<string, string | undefined>;
  const runtime = versions.bun
    ? `bun ${versions.bun}`
    : versions.deno
      ? `deno ${versions.deno}`
      : `node ${process.version}`;
  return {
    platform: process.platform,
    arch: process.arch,
    kernel: release(),
    runtime,
    secretBacking: trySecretBacking(),
  };
}

/** What the host says this process can still commit (its `memoryRoom`). */
export function memoryFacts(): MemoryFacts {
  const room = nativeHost().memoryRoom?.();
  if (!room) throw new Error('the host does not tell how much memory is left');
  return { ...room };
}

/** Gathers this machine's facts; never throws (a fact that cannot be read says why). */
export function gatherMachineFacts(): MachineFacts {
  const gather = platformEntry()?.gatherFacts;
  return gather ? { ...commonFacts(), ...gather() } : gatherPortableFacts();
}

/** What the host API tells on a platform without its own facts file. */
function gatherPortableFacts(): MachineFacts {
  const missing: Unavailable = { unavailable: `not available on ${process.platform}` };
  const fromHost = <T extends object>(read: () => T): Fact<T> => {
    try {
      return read();
    } catch (error) {
      return { unavailable: `not available on ${process.platform}: ${(error as Error).message}` };
    }
  };
  return {
    ...commonFacts(),
    pageSize: fromHost(() => ({ bytes: PlatformMemory.pageSize() })),
    memlock: fromHost(() => {
      const status = nativeHost().memlockStatus();
      if (!status) throw new Error('the host does not report a lock limit');
      if (status.lockedBytes === undefined)
        throw new Error(status.unknownBecause ?? 'the host does not say what is locked now');
      const limit = (value: number): Limit => (Number.isFinite(value) ? value : 'unlimited');
      if (status.lockedBytes === undefined)
        throw new Error(status.unknownBecause ?? 'the host does not say what is locked now');
      return { soft: limit(status.soft), hard: limit(status.hard), lockedBytes: status.lockedBytes };
    }),
    hugePages: missing,
    memfdSecret: missing,
    hibernation: missing,
    coreDumps: missing,
    mappings: missing,
    memory: fromHost(memoryFacts),
  };
}
