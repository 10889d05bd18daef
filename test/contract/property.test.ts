// Property: for any sequence of operations, the simulated host and the real Linux host give the
// same results (values, error codes, errno names, stats and inspect()), and on both the kernel's
// view (smaps on Linux, the page table when simulated) agrees with inspect().
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLinuxHost } from '../../host/linux.js';
import {
  AllocationType,
  MemoryProtectionError,
  MemoryProtectionLevel,
  createPlatformMemory,
  type PlatformMemory,
  type Region,
  type RegionInfo,
} from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';
import { kernelDisagreements } from './kernel-check.js';
import { PLATFORM_DIFFERENCES, type PlatformDifferences } from './platform-differences.js';

type Level = MemoryProtectionLevel;
type Step =
  | { kind: 'allocate'; size: number; align: number; protection: Level; type: AllocationType; bestEffort: boolean }
  | { kind: 'guarded'; size: number; before: number; after: number; align: number; protection: Level; secure: boolean }
  | { kind: 'free' | 'freeGuarded' | 'lock' | 'unlock' | 'clear' | 'inspect'; pick: number }
  | { kind: 'protect'; pick: number; protection: Level }
  | { kind: 'write'; pick: number; offset: number; length: number; byte: number }
  | { kind: 'read'; pick: number; offset: number; length: number };

const level = fc.constantFrom(...Object.values(MemoryProtectionLevel));
const pick = fc.nat(1000);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('allocate' as const),
      size: fc.integer({ min: 1, max: 20000 }),
      align: fc.constantFrom(1, 8, 64, 4096, 65536),
      protection: level,
      type: fc.constantFrom(...Object.values(AllocationType)),
      bestEffort: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('guarded' as const),
      size: fc.integer({ min: 1, max: 9000 }),
      before: fc.nat(3),
      after: fc.nat(3),
      align: fc.constantFrom(1, 16, 8192),
      protection: level,
      secure: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'free' as const,
        'freeGuarded' as const,
        'lock' as const,
        'unlock' as const,
        'clear' as const,
        'inspect' as const,
      ),
      pick,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('protect' as const), pick, protection: level }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      pick,
      offset: fc.nat(9000),
      length: fc.nat(300),
      byte: fc.integer({ min: 1, max: 255 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('read' as const), pick, offset: fc.nat(9000), length: fc.nat(300) }),
  },
);

/** What inspect() says, without addresses (they differ between hosts) but with offsets into the mapping. */
function shape(info: RegionInfo) {
  const at = (address: bigint) => Number(address - info.mapping.address);
  return {
    type: info.type,
    protection: info.protection,
    locked: info.locked,
    lockRequested: info.lockRequested,
    dumpExcluded: info.dumpExcluded,
    forkExcluded: info.forkExcluded,
    canary: info.canary,
    pageKind: info.pageKind,
    hugePagesAdvised: info.hugePagesAdvised,
    pageSize: info.pageSize,
    size: info.size,
    align: info.align,
    mapping: info.mapping.length,
    dataPages: [at(info.dataPages.address), info.dataPages.length],
    data: [at(info.data.address), info.data.length],
    guards: info.guards.map((guard) => [guard.position, at(guard.address), guard.length]),
  };
}

/** One host's side of a run: its memory, the regions it made (live and freed), and the kernel checks. */
class Side {
  readonly regions: Region[] = [];
  readonly problems: string[] = [];

  constructor(
    readonly name: string,
    readonly memory: PlatformMemory,
    private readonly differences: PlatformDifferences,
  ) {}

  /** Applies a step; returns its outcome as plain data. */
  apply(step: Step): unknown {
    const { memory } = this;
    const region =
      'pick' in step && this.regions.length > 0 ? this.regions[step.pick % this.regions.length] : undefined;
    try {
      switch (step.kind) {
        case 'allocate':
          return this.keep(
            memory.allocate(
              step.size,
              step.align,
              step.protection,
              step.type,
              step.bestEffort ? { lock: 'bestEffort' } : undefined,
            ),
          );
        case 'guarded':
          return this.keep(
            memory.allocateWithGuardPages(step.size, step.before, step.after, step.align, {
              protection: step.protection,
              type: step.secure ? AllocationType.Secure : AllocationType.Regular,
            }),
          );
        default:
          if (!region) return 'no region yet';
      }
      switch (step.kind) {
        case 'free':
          memory.free(region);
          return 'ok';
        case 'freeGuarded':
          memory.freeGuardedMemory(region);
          return 'ok';
        case 'lock':
          memory.lock(region);
          break;
        case 'unlock':
          memory.unlock(region);
          break;
        case 'clear':
          memory.secureClear(region);
          break;
        case 'inspect':
          break;
        case 'protect':
          memory.protect(region, step.protection);
          break;
        case 'write':
          memory.write(region, new Uint8Array(step.length).fill(step.byte), step.offset);
          break;
        case 'read':
          return Buffer.from(memory.read(region, step.offset, step.length)).toString('hex');
      }
      this.check(region);
      return shape(memory.inspect(region));
    } catch (error) {
      if (!(error instanceof MemoryProtectionError)) throw error;
      return { code: error.code, syscall: error.syscall, errnoName: error.errnoName };
    }
  }

  private keep(region: Region): unknown {
    this.regions.push(region);
    this.check(region);
    return shape(this.memory.inspect(region));
  }

  /** Records where the kernel disagrees with inspect() about a live region. */
  check(region: Region): void {
    if (region.freed) return;
    for (const problem of kernelDisagreements(this.memory.inspect(region), this.differences))
      this.problems.push(`${this.name}: ${problem}`);
  }

  /** Frees what is still live; returns the stats afterwards (all zero when nothing leaked). */
  cleanUp() {
    for (const region of this.regions) if (!region.freed) this.memory.free(region);
    return this.memory.stats();
  }
}

describe.runIf(process.platform === 'linux')('random operation sequences on the simulated and the Linux host', () => {
  const linuxHost = createLinuxHost();
  // The simulated side gets this machine's huge-page facts (reserved pages, THP mode), which vary.
  const { explicitHugePages, transparentHugePages, hugePageSize } = linuxHost.capabilities();
  const capabilities = { explicitHugePages, transparentHugePages, hugePageSize };

  it('give the same results, errors and inspect(), and each kernel view agrees with inspect()', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        const simulated = new Side(
          'simulated',
          createPlatformMemory({ host: createSimulatedHost({ pageSize: linuxHost.pageSize(), capabilities }) }),
          PLATFORM_DIFFERENCES.simulated!,
        );
        const linux = new Side('linux', createPlatformMemory({ host: linuxHost }), PLATFORM_DIFFERENCES.linux!);
        try {
          for (const [index, current] of steps.entries()) {
            const expected = simulated.apply(current);
            const actual = linux.apply(current);
            expect(actual, `step ${index}: ${JSON.stringify(current)}`).toEqual(expected);
            expect(linux.memory.stats(), `stats after step ${index}`).toEqual(simulated.memory.stats());
          }
          for (const region of linux.regions) linux.check(region);
          for (const region of simulated.regions) simulated.check(region);
          expect([...linux.problems, ...simulated.problems]).toEqual([]);
        } finally {
          expect(linux.cleanUp()).toEqual({ liveRegions: 0, mappedBytes: 0, lockedBytes: 0 });
          expect(simulated.cleanUp()).toEqual({ liveRegions: 0, mappedBytes: 0, lockedBytes: 0 });
        }
      }),
      { numRuns: Number(process.env.MEMSHIELD_PROPERTY_RUNS ?? 40) }, // raise it to hunt for rarer divergences
    );
  });
});
