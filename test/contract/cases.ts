// The contract: what every host must do under the PlatformMemory API, written once. Each case is
// framework-agnostic (node:assert, no vitest), so the same list runs under vitest here
// (contract.test.ts: linux and simulated) and under `node --test` in the Windows build of Node.
// What may differ per platform is read from ctx.differences (platform-differences.ts), never
// decided here.
import assert from 'node:assert/strict';
import {
  AllocationType,
  MemoryProtectionError,
  MemoryProtectionLevel,
  type MemoryProtectionErrorCode,
  type PlatformMemory,
  type Region,
} from '../../src/index.js';
import type { Host } from '../../src/testing.js';
import { kernelDisagreements } from './kernel-check.js';
import type { PlatformDifferences } from './platform-differences.js';

/** What a case gets from the runner. */
export interface ContractContext {
  /** The host's platform name (`inspect().host` must say the same). */
  platform: 'linux' | 'simulated' | 'darwin' | 'win32';
  differences: PlatformDifferences;
  /** A new PlatformMemory over this platform's host (its own core and region table). */
  createMemory(): PlatformMemory;
  /** That host (a PlatformMemory does not hand it out). */
  host: Host;
  /** Writes bytes at an address as native code would (koffi on real hosts, raw access when simulated). */
  rawWrite(address: bigint, bytes: Uint8Array): void;
}

/** One behaviour every host must show. */
export interface ContractCase {
  name: string;
  run(ctx: ContractContext): void | Promise<void>;
}

const { NoAccess, ReadOnly, ReadWrite, Execute, ReadExecute, ReadWriteExecute } = MemoryProtectionLevel;
const { Regular, Secure, LargePage } = AllocationType;
const LEVELS = Object.values(MemoryProtectionLevel);

/** Asserts that `action` throws a MemoryProtectionError with `code`; returns it. */
function throwsCode(action: () => unknown, code: MemoryProtectionErrorCode): MemoryProtectionError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof MemoryProtectionError, `expected a MemoryProtectionError ${code}, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a MemoryProtectionError ${code}, but nothing was thrown`);
}

/** Runs `body` with regions that are freed afterwards, whatever happens. */
function withRegions(memory: PlatformMemory, body: (track: (region: Region) => Region) => void): void {
  const regions: Region[] = [];
  try {
    body((region) => {
      regions.push(region);
      return region;
    });
  } finally {
    for (const region of regions) if (!region.freed) memory.free(region);
  }
}

/** A recognisable byte pattern of `length` bytes. */
function pattern(length: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 131 + seed * 17 + 7) & 0xff);
}

function assertKernelAgrees(memory: PlatformMemory, region: Region, differences: PlatformDifferences): void {
  const problems = kernelDisagreements(memory.inspect(region), differences);
  assert.deepEqual(problems, [], `the kernel disagrees with inspect():\n${problems.join('\n')}`);
}

export const CONTRACT_CASES: ContractCase[] = [
  {
    name: 'pageSize() is the host page size, a power of two',
    run({ createMemory, host }) {
      const memory = createMemory();
      const size = memory.pageSize();
      assert.equal(size, host.pageSize());
      assert.ok(size >= 4096 && (size & (size - 1)) === 0, `page size ${size}`);
    },
  },
  {
    name: 'a Regular region reads back what was written, and starts zeroed',
    run({ createMemory }) {
      const memory = createMemory();
      withRegions(memory, (track) => {
        for (const size of [1, 100, memory.pageSize(), memory.pageSize() * 2 + 1]) {
          const region = track(memory.allocate(size, 8, ReadWrite, Regular));
          assert.equal(region.size, size);
          assert.deepEqual(memory.read(region), new Uint8Array(size), 'a new region holds zeros');
          const bytes = pattern(size, size);
          memory.write(region, bytes);
          assert.deepEqual(memory.read(region), bytes);
          assert.deepEqual(memory.read(region, size - 1, 1), bytes.subarray(size - 1));
        }
      });
    },
  },
  {
    name: 'the data address honours every alignment from 1 to 1 MiB',
    run({ createMemory }) {
      const memory = createMemory();
      withRegions(memory, (track) => {
        for (let align = 1; align <= 1 << 20; align *= 4) {
          for (const type of [Regular, Secure]) {
            const info = memory.inspect(track(memory.allocate(100, align, ReadWrite, type)));
            assert.equal(
              info.data.address % BigInt(align),
              0n,
              `${type} align ${align}: 0x${info.data.address.toString(16)}`,
            );
            assert.equal(info.mapping.address % BigInt(info.pageSize), 0n);
          }
        }
      });
    },
  },
  {
    name: 'a Secure region sits between guard pages, locked and excluded as the platform allows',
    run({ createMemory, differences, platform }) {
      const memory = createMemory();
      withRegions(memory, (track) => {
        const region = track(memory.allocate(32, 8, ReadWrite, Secure));
        const info = memory.inspect(region);
        assert.equal(info.host, platform);
        assert.equal(info.type, Secure);
        assert.equal(info.locked, true);
        assert.equal(region.locked, true);
        assert.equal(info.lockRequested, true);
        assert.equal(info.canary, true);
        assert.equal(info.dumpExcluded, differences.dumpExclusion);
        assert.equal(info.forkExcluded, differences.forkExclusion);
        assert.deepEqual(
          info.guards.map((guard) => [guard.position, guard.length]),
          [
            ['before', info.pageSize],
            ['after', info.pageSize],
          ],
        );
        // The data ends exactly at the trailing guard page: an overflow faults at once.
        assert.equal(info.data.address + BigInt(info.size), info.guards[1].address);
        assertKernelAgrees(memory, region, differences);
      });
    },
  },
  {
    name: 'each protection level reaches the data pages, and the kernel reports it',
    run({ createMemory, differences }) {
      const memory = createMemory();
      withRegions(memory, (track) => {
        for (const type of [Regular, Secure]) {
          const region = track(memory.allocate(5000, 16, ReadWrite, type));
          for (const level of [...LEVELS, ReadWrite]) {
            memory.protect(region, level);
            assert.equal(region.protection, level);
            assert.equal(memory.inspect(region).protection, level);
            assertKernelAgrees(memory, region, differences);
          }
        }
      });
    },
  },
  {
    name: 'allocate applies the requested protection from the start',
    run({ createMemory, differences }) {
      const memory = createMemory();
      withRegions(memory, (track) => {
        for (const level of LEVELS) {
          for (const type of [Regular, Secure]) {
            const region = track(memory.allocate(64, 8, level, type));
            assert.equal(region.protection, level);
            assertKernelAgrees(memory, region, differences);
          }
        }
      });
    },
  },
  {
    name: 'write needs a writable level and read a readable one (ACCESS_DENIED otherwise)',
    run({ createMemory }) {
      const memory = createMemory();
      withRegions(memory, (track) => {
        const region = track(memory.allocate(16, 8, ReadWrite, Secure));
        const writable = new Set<string>([ReadWrite, ReadWriteExecute]);
        const readable = new Set<string>([ReadOnly, ReadWrite, ReadExecute, ReadWriteExecute]);
        for (const level of LEVELS) {
          memory.protect(region, level);
          if (writable.has(level)) memory.write(region, pattern(16));
          else throwsCode(() => memory.write(region, pattern(16)), 'ACCESS_DENIED');
          if (readable.has(level)) assert.equal(memory.read(region).length, 16);
          else throwsCode(() => memory.read(region), 'ACCESS_DENIED');
        }
        assert.ok([Execute, NoAccess].every((level) => !readable.has(level)));
      });
    },
  },
  {
    name: 'offsets and lengths outside the region are OUT_OF_BOUNDS',
    run({ createMemory }) {
      const memory = createMemory();
      withRegions(memory, (track) => {
        const region = track(memory.allocate(10, 1, ReadWrite, Regular));
        throwsCode(() => memory.write(region, new Uint8Array(11)), 'OUT_OF_BOUNDS');
        throwsCode(() => memory.write(region, new Uint8Array(2), 9), 'OUT_OF_BOUNDS');
        throwsCode(() => memory.write(region, new Uint8Array(1), -1), 'OUT_OF_BOUNDS');
        throwsCode(() => memory.read(region, 11), 'OUT_OF_BOUNDS');
        throwsCode(() => memory.read(region, 5, 6), 'OUT_OF_BOUNDS');
        assert.deepEqual(memory.read(region, 10), new Uint8Array(0), 'reading 0 bytes at the end is fine');
      });
    },
  },
  {
    name: 'bad arguments are INVALID_ARGUMENT with a message naming the argument',
    run({ createMemory }) {
      const memory = createMemory();
      const bad: Array<[string, () => unknown]> = [
        ['size', () => memory.allocate(0, 8, ReadWrite, Regular)],
        ['size', () => memory.allocate(1.5, 8, ReadWrite, Regular)],
        ['size', () => memory.allocate(Number.NaN, 8, ReadWrite, Regular)],
        ['align', () => memory.allocate(16, 3, ReadWrite, Regular)],
        ['align', () => memory.allocate(16, 2 ** 31, ReadWrite, Regular)],
        ['protection', () => memory.allocate(16, 8, 'Everything' as never, Regular)],
        ['type', () => memory.allocate(16, 8, ReadWrite, 'Huge' as never)],
        ['guard', () => memory.allocateWithGuardPages(16, 0, 0, 8)],
        ['guardPagesAfter', () => memory.allocateWithGuardPages(16, 1, -1, 8)],
        ['Region', () => memory.free({} as Region)],
      ];
      const before = memory.stats();
      for (const [argument, action] of bad) {
        const error = throwsCode(action, 'INVALID_ARGUMENT');
        assert.match(error.message, new RegExp(argument, 'i'));
      }
      assert.deepEqual(memory.stats(), before, 'nothing was mapped');
    },
  },
  {
    name: 'a freed region is USE_AFTER_FREE, and freeing it again DOUBLE_FREE',
    run({ createMemory }) {
      const memory = createMemory();
      const region = memory.allocate(64, 8, ReadWrite, Secure);
      memory.free(region);
      assert.equal(region.freed, true);
      throwsCode(() => memory.read(region), 'USE_AFTER_FREE');
      throwsCode(() => memory.write(region, new Uint8Array(1)), 'USE_AFTER_FREE');
      throwsCode(() => memory.protect(region, ReadOnly), 'USE_AFTER_FREE');
      throwsCode(() => memory.inspect(region), 'USE_AFTER_FREE');
      throwsCode(() => memory.free(region), 'DOUBLE_FREE');
      // The slot is reused by the next region; the old handle still does not reach it.
      const next = memory.allocate(64, 8, ReadWrite, Secure);
      try {
        throwsCode(() => memory.read(region), 'USE_AFTER_FREE');
        assert.equal(next.freed, false);
      } finally {
        memory.free(next);
      }
    },
  },
  {
    name: 'a region of another PlatformMemory is refused',
    run({ createMemory }) {
      const first = createMemory();
      const second = createMemory();
      const region = first.allocate(16, 8, ReadWrite, Regular);
      try {
        const error = throwsCode(() => second.read(region), 'INVALID_ARGUMENT');
        assert.match(error.message, /another PlatformMemory/);
      } finally {
        first.free(region);
      }
    },
  },
  {
    name: 'lock and unlock change the lock state; repeating either changes nothing',
    run({ createMemory, differences }) {
      const memory = createMemory();
      withRegions(memory, (track) => {
        const region = track(memory.allocate(3 * memory.pageSize(), 8, ReadWrite, Regular));
        const before = memory.stats().lockedBytes;
        assert.equal(region.locked, false);
        memory.lock(region);
        memory.lock(region);
        assert.equal(region.locked, true);
        assert.equal(memory.stats().lockedBytes - before, 3 * memory.pageSize());
        assertKernelAgrees(memory, region, differences);
        memory.unlock(region);
        memory.unlock(region);
        assert.equal(region.locked, false);
        assert.equal(memory.stats().lockedBytes, before);
        assertKernelAgrees(memory, region, differences);
      });
    },
  },
  {
    name: 'locking a NoAccess region locks it and leaves it NoAccess',
    run({ createMemory, differences }) {
      const memory = createMemory();
      withRegions(memory, (track) => {
        const region = track(memory.allocate(100, 8, NoAccess, Regular));
        memory.lock(region);
        assert.equal(region.locked, true);
        assert.equal(region.protection, NoAccess);
        assertKernelAgrees(memory, region, differences);
      });
    },
  },
  {
    name: 'secureClear zeroes the data under any protection and keeps the protection',
    run({ createMemory, differences }) {
      const memory = createMemory();
      withRegions(memory, (track) => {
        for (const level of LEVELS) {
          const region = track(memory.allocate(200, 8, ReadWrite, Secure));
          memory.write(region, pattern(200));
          memory.protect(region, level);
          memory.secureClear(region);
          assert.equal(region.protection, level);
          assertKernelAgrees(memory, region, differences);
          memory.protect(region, ReadWrite);
          assert.deepEqual(memory.read(region), new Uint8Array(200), `cleared under ${level}`);
        }
      });
    },
  },
  {
    name: 'free returns the mapped and locked bytes, whatever the protection',
    run({ createMemory }) {
      const memory = createMemory();
      const before = memory.stats();
      const regions = LEVELS.map((level) => memory.allocate(1000, 8, level, Secure));
      assert.equal(memory.stats().liveRegions, before.liveRegions + LEVELS.length);
      for (const region of regions) memory.free(region);
      assert.deepEqual(memory.stats(), before);
    },
  },
  {
    name: 'allocateWithGuardPages puts the asked number of guard pages on each side',
    run({ createMemory, differences }) {
      const memory = createMemory();
      withRegions(memory, (track) => {
        const page = memory.pageSize();
        for (const [before, after] of [
          [2, 3],
          [1, 0],
          [0, 1],
        ]) {
          const region = track(memory.allocateWithGuardPages(100, before, after, 8));
          const info = memory.inspect(region);
          const expected = [
            ...(before ? [['before', before * page]] : []),
            ...(after ? [['after', after * page]] : []),
          ];
          assert.deepEqual(
            info.guards.map((guard) => [guard.position, guard.length]),
            expected,
          );
          assert.equal(info.type, Regular);
          assert.equal(info.locked, false);
          assertKernelAgrees(memory, region, differences);
        }
        const plain = track(memory.allocate(100, 8, ReadWrite, Regular));
        throwsCode(() => memory.freeGuardedMemory(plain), 'INVALID_ARGUMENT');
        const guarded = memory.allocateWithGuardPages(100, 1, 1, 8, { type: Secure });
        memory.freeGuardedMemory(guarded);
        assert.equal(guarded.freed, true);
      });
    },
  },
  {
    name: 'a damaged canary is reported as CANARY_CORRUPTED after the region is wiped and unmapped',
    run({ createMemory, rawWrite }) {
      const memory = createMemory();
      const before = memory.stats();
      // align 64: the data starts 64-byte aligned, so the 4032 bytes in front of it are canary.
      const region = memory.allocate(100, 64, ReadWrite, Secure);
      const info = memory.inspect(region);
      assert.ok(info.data.address > info.dataPages.address, 'there is canary slack in front of the data');
      rawWrite(info.data.address - 1n, new Uint8Array([0x5a])); // an underflow by one byte
      throwsCode(() => memory.free(region), 'CANARY_CORRUPTED');
      assert.equal(region.freed, true);
      assert.deepEqual(memory.stats(), before, 'the region was still unmapped');
      // Control: an undamaged region frees cleanly.
      memory.free(memory.allocate(100, 64, ReadWrite, Secure));
    },
  },
  {
    name: 'LargePage allocations use the page kind this machine offers',
    run({ createMemory, differences }) {
      const memory = createMemory();
      withRegions(memory, (track) => {
        const expected = differences.largePages();
        const region = track(memory.allocate(5000, 8, ReadWrite, LargePage));
        const info = memory.inspect(region);
        assert.equal(info.pageKind, expected.pageKind);
        assert.equal(info.pageSize, expected.pageSize);
        assert.equal(info.hugePagesAdvised, expected.pageKind === 'transparent-huge');
        assert.equal(info.mapping.address % BigInt(expected.pageSize), 0n);
        memory.write(region, pattern(5000));
        assert.deepEqual(memory.read(region), pattern(5000));
        assertKernelAgrees(memory, region, differences);
      });
    },
  },
  {
    name: 'a Secure region has every data page committed when allocate returns, locked or not',
    run({ createMemory, differences }) {
      if (!differences.residency) return; // the kernel view does not tell committed pages here
      const memory = createMemory();
      withRegions(memory, (track) => {
        const page = memory.pageSize();
        // Ten pages with no canary slack (so no canary write touched them), NoAccess at rest.
        for (const options of [{}, { lock: 'bestEffort' as const }]) {
          const info = memory.inspect(track(memory.allocate(10 * page, page, NoAccess, Secure, options)));
          // The data pages are one VMA of their own (guard pages on both sides differ from them).
          const resident = (info.dataPages.kernel ?? []).reduce((sum, range) => sum + range.residentBytes, 0);
          assert.equal(resident, 10 * page, `${JSON.stringify(options)}: ${resident} of ${10 * page} bytes committed`);
        }
      });
    },
  },
  {
    name: 'an allocation larger than the address space fails with the OS error, leaving nothing mapped',
    run({ createMemory, differences }) {
      const memory = createMemory();
      const before = memory.stats();
      const error = throwsCode(() => memory.allocate(2 ** 47, 8, ReadWrite, Regular), 'ALLOCATION_FAILED');
      assert.equal(error.syscall, differences.impossibleAllocation.syscall);
      assert.equal(error.errnoName, differences.impossibleAllocation.errnoName);
      assert.equal(typeof error.errno, 'number');
      assert.deepEqual(memory.stats(), before);
    },
  },
  {
    name: 'stats count live regions, mapped bytes (guards included) and locked bytes',
    run({ createMemory }) {
      const memory = createMemory();
      const page = memory.pageSize();
      const before = memory.stats();
      const regular = memory.allocate(page + 1, 8, ReadWrite, Regular);
      const secure = memory.allocate(10, 8, ReadWrite, Secure);
      try {
        assert.deepEqual(memory.stats(), {
          liveRegions: before.liveRegions + 2,
          mappedBytes: before.mappedBytes + 2 * page + 3 * page,
          lockedBytes: before.lockedBytes + page,
        });
      } finally {
        memory.free(regular);
        memory.free(secure);
      }
    },
  },
];
