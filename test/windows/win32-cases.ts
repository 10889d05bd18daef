// The Windows host's cases, framework-agnostic (node:assert): run by node --test inside the
// Windows build of Node under Wine (run-under-wine.ts) and by vitest on real Windows
// (win32-host.test.ts). Each compares memshield's account with Windows' own (windows-view.ts).
// Where Wine 8 differs from Windows (shared/PLATFORM-NOTES.md), a case says so through
// ctx.note and checks the Windows behaviour only on Windows.
import assert from 'node:assert/strict';
import { Protection, type Host } from '../../host/types.js';
import { createWin32Host } from '../../host/win32.js';
import { allocateByRetry, allocateWithRequirements } from '../../host/win32-align.js';
import { MEM, PAGE } from '../../host/win32-constants.js';
import { bindKernel32, type Kernel32 } from '../../host/win32-kernel32.js';
import { enableLargePages } from '../../host/win32-large-pages.js';
import {
  AllocationType,
  MemoryProtectionError,
  MemoryProtectionLevel,
  type PlatformMemory,
  type Region,
} from '../../src/index.js';
import { koffiWrite } from '../contract/raw-write.js';
import { WINDOWS, rawBytes, systemInfo, virtualQuery, workingSet, workingSetPages } from './windows-view.js';

/** What a case gets. */
export interface WindowsContext {
  host: Host;
  memory: PlatformMemory;
  /** The Wine version under Wine, undefined on Windows. */
  wine: string | undefined;
  /** Runs guard-child.mjs in a fresh Windows Node and returns its exit code. */
  runChild(mode: 'guard' | 'data'): number | null;
  /** Says, in the test output, where Wine differs and what is checked only on Windows. */
  note(message: string): void;
  /** Marks the case skipped with a reason (the case returns right after). */
  skip(reason: string): void;
}

export interface WindowsCase {
  name: string;
  run(ctx: WindowsContext): void | Promise<void>;
}

const NATIVE: Record<string, number> = {
  NoAccess: WINDOWS.PAGE_NOACCESS,
  ReadOnly: WINDOWS.PAGE_READONLY,
  ReadWrite: WINDOWS.PAGE_READWRITE,
  Execute: WINDOWS.PAGE_EXECUTE,
  ReadExecute: WINDOWS.PAGE_EXECUTE_READ,
  ReadWriteExecute: WINDOWS.PAGE_EXECUTE_READWRITE,
};
const NAME_OF: Record<number, string> = Object.fromEntries(
  Object.entries(WINDOWS).map(([name, value]) => [value, name]),
);

/** Asserts VirtualQuery sees committed private pages with `protect` over the whole [address, +length). */
function assertQueried(address: bigint, length: number, protect: number, what: string): void {
  const region = virtualQuery(address);
  assert.equal(region.state, WINDOWS.MEM_COMMIT, `${what}: state`);
  assert.equal(region.type, WINDOWS.MEM_PRIVATE, `${what}: type`);
  assert.equal(NAME_OF[region.protect] ?? region.protect, NAME_OF[protect], `${what}: protection`);
  assert.ok(
    region.base <= address && region.base + region.size >= address + BigInt(length),
    `${what}: one VirtualQuery region covers it`,
  );
}

/** kernel32 as the host binds it, with RtlMoveMemory counted; `koffi` replaces the koffi the host lends views from. */
function countingKernel32(koffi?: Kernel32['koffi']): { k: Kernel32; moves: () => number } {
  const real = bindKernel32();
  let moves = 0;
  const move = real.RtlMoveMemory as unknown as (...args: unknown[]) => unknown;
  const RtlMoveMemory = (...args: unknown[]) => {
    moves++;
    return move(...args);
  };
  return { k: { ...real, koffi: koffi ?? real.koffi, RtlMoveMemory } as unknown as Kernel32, moves: () => moves };
}

const pattern = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff || 1);

/**
 * Copies 32 bytes in (or out) at the first and the last 32 bytes of a fresh three-page mapping, four
 * times, checking each against the raw memory; returns how many RtlMoveMemory calls each copy made.
 */
function movesPerCopy(direction: 'in' | 'out', counted: ReturnType<typeof countingKernel32>): number[] {
  const host = createWin32Host(counted.k);
  const length = 3 * host.pageSize();
  const id = host.map(length, host.pageSize(), Protection.ReadWrite, 0);
  assert.ok(id >= 0, `map: error ${-id}`);
  const perCopy: number[] = [];
  try {
    const address = host.address(id);
    for (const [round, offset] of [0, length - 32, 0, length - 32].entries()) {
      const bytes = pattern(32, round + 3);
      const at = address + BigInt(offset);
      assert.notDeepEqual(rawBytes(at, 32), bytes, 'control: not there before');
      const before = counted.moves();
      if (direction === 'in') {
        assert.equal(host.copyIn(id, offset, bytes), 0);
        assert.deepEqual(rawBytes(at, 32), bytes, `copyIn ${round} at ${offset}`);
      } else {
        koffiWrite(at, bytes);
        const target = new Uint8Array(32);
        assert.equal(host.copyOut(id, offset, target), 0);
        assert.deepEqual(target, bytes, `copyOut ${round} at ${offset}`);
      }
      perCopy.push(counted.moves() - before);
    }
    // Exactly there: nothing written next to either end.
    assert.equal(rawBytes(address + 32n, 1)[0], 0, 'the byte after the first 32');
    assert.equal(rawBytes(address + BigInt(length - 33), 1)[0], 0, 'the byte before the last 32');
  } finally {
    assert.equal(host.unmap(id), 0);
  }
  return perCopy;
}

export const WIN32_CASES: WindowsCase[] = [
  {
    name: 'copies cross into RtlMoveMemory twice, then go through one view of the mapping, exact at both ends',
    run() {
      // host/mapped-bytes.ts: an allocation and its free copy twice; from the third copy on, the view.
      assert.deepEqual(movesPerCopy('in', countingKernel32()), [1, 1, 0, 0]);
      assert.deepEqual(movesPerCopy('out', countingKernel32()), [1, 1, 0, 0]);
      // Control: where the runtime lends no view (Electron), every copy is an RtlMoveMemory, and is counted.
      const real = bindKernel32().koffi;
      const refusing = Object.create(real, {
        view: {
          value: () => {
            throw new Error('External buffers are not allowed');
          },
        },
      }) as Kernel32['koffi'];
      assert.deepEqual(movesPerCopy('in', countingKernel32(refusing)), [1, 1, 1, 1]);
      assert.deepEqual(movesPerCopy('out', countingKernel32(refusing)), [1, 1, 1, 1]);
    },
  },
  {
    name: 'the host reports the page size and allocation granularity GetSystemInfo gives',
    run({ host }) {
      const info = systemInfo();
      assert.equal(host.pageSize(), info.pageSize);
      assert.equal(info.pageSize, 4096);
      assert.equal(info.allocationGranularity, 65536);
    },
  },
  {
    name: 'a ReadWrite allocation is committed private read-write memory in VirtualQuery, and inspect says the same',
    run({ memory }) {
      const region = memory.allocate(5000, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
      try {
        const info = memory.inspect(region);
        assertQueried(info.mapping.address, info.mapping.length, WINDOWS.PAGE_READWRITE, 'mapping');
        assert.equal(
          virtualQuery(info.mapping.address).allocationBase,
          info.mapping.address,
          'the mapping is its own allocation',
        );
        const kernel = info.mapping.kernel ?? [];
        assert.equal(kernel.length, 1);
        assert.deepEqual(
          [kernel[0].permissions, kernel[0].state, kernel[0].type],
          ['PAGE_READWRITE', 'MEM_COMMIT', 'MEM_PRIVATE'],
        );
      } finally {
        memory.free(region);
      }
      assert.throws(() => memory.inspect(region), MemoryProtectionError);
    },
  },
  {
    name: 'VirtualQuery follows every protection change, and the bytes survive them',
    run({ memory }) {
      const region = memory.allocate(8192, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
      try {
        const pattern = Uint8Array.from({ length: 8192 }, (_, i) => (i * 7 + 3) & 0xff);
        memory.write(region, pattern);
        const { dataPages } = memory.inspect(region);
        for (const level of [
          'NoAccess',
          'ReadOnly',
          'ReadExecute',
          'ReadWriteExecute',
          'Execute',
          'ReadWrite',
        ] as const) {
          memory.protect(region, MemoryProtectionLevel[level]);
          assertQueried(dataPages.address, dataPages.length, NATIVE[level], `after protect(${level})`);
          const kernel = memory.inspect(region).dataPages.kernel ?? [];
          assert.deepEqual(
            kernel.map((range) => range.permissions),
            [NAME_OF[NATIVE[level]]],
            `inspect after protect(${level})`,
          );
        }
        assert.deepEqual(memory.read(region), pattern);
      } finally {
        memory.free(region);
      }
    },
  },
  {
    name: 'a Secure region is locked read-write data between PAGE_NOACCESS guard pages',
    run({ memory, wine, note }) {
      const region = memory.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
      try {
        const info = memory.inspect(region);
        assert.equal(info.guards.length, 2);
        for (const guard of info.guards) {
          assertQueried(guard.address, guard.length, WINDOWS.PAGE_NOACCESS, `${guard.position} guard`);
          assert.deepEqual(
            guard.kernel?.map((range) => range.permissions),
            ['PAGE_NOACCESS'],
          );
        }
        assertQueried(info.dataPages.address, info.dataPages.length, WINDOWS.PAGE_READWRITE, 'data pages');
        assert.equal(info.locked, true);
        // Windows has no core-dump exclusion and no fork(): reported, not faked.
        assert.equal(info.dumpExcluded, false);
        assert.equal(info.forkExcluded, false);
        const pages = workingSetPages(info.dataPages.address, info.dataPages.length);
        assert.ok(
          pages.every((page) => page.valid),
          'VirtualLock made the data pages resident',
        );
        if (wine) {
          note(
            `Wine ${wine} differs from Windows: QueryWorkingSetEx ` +
              `never sets the Locked bit; it is checked only on Windows`,
          );
        } else {
          assert.ok(
            pages.every((page) => page.locked),
            'QueryWorkingSetEx reports the data pages locked',
          );
          assert.equal(info.dataPages.kernel?.[0].lockedBytes, info.dataPages.length);
        }
      } finally {
        memory.free(region);
      }
    },
  },
  {
    name: 'secureClear leaves zeros in the pages themselves (RtlFillMemory, a call the JIT cannot drop)',
    run({ memory }) {
      const region = memory.allocate(4096, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
      try {
        const { data } = memory.inspect(region);
        memory.write(region, new Uint8Array(4096).fill(0xaa));
        assert.ok(
          rawBytes(data.address, 4096).every((byte) => byte === 0xaa),
          'control: the raw read sees the secret',
        );
        memory.protect(region, MemoryProtectionLevel.NoAccess); // the wipe must open and close the pages itself
        memory.secureClear(region);
        assertQueried(data.address, 4096, WINDOWS.PAGE_NOACCESS, 'closed again after the wipe');
        memory.protect(region, MemoryProtectionLevel.ReadOnly);
        assert.ok(
          rawBytes(data.address, 4096).every((byte) => byte === 0),
          'every byte is zero',
        );
      } finally {
        memory.free(region);
      }
    },
  },
  {
    name: 'alignments beyond the 64 KiB granularity hold with VirtualAlloc2 and with reserve-and-retry',
    run({ memory }) {
      const k = bindKernel32();
      const strategies = { VirtualAlloc2: allocateWithRequirements(k), 'reserve-and-retry': allocateByRetry(k) };
      assert.ok(strategies.VirtualAlloc2, 'VirtualAlloc2 is exported (Windows 10 1803+, Wine 8)');
      for (const [name, allocate] of Object.entries(strategies)) {
        for (const alignment of [1 << 17, 1 << 20, 1 << 24]) {
          const address = allocate!(65536, alignment, MEM.RESERVE | MEM.COMMIT, PAGE.READWRITE);
          assert.equal(typeof address, 'bigint', `${name} at ${alignment}: got error ${address}`);
          assert.equal((address as bigint) % BigInt(alignment), 0n, `${name} aligns to ${alignment}`);
          assert.equal(virtualQuery(address as bigint).allocationBase, address, `${name}: an allocation of its own`);
          assert.ok(k.VirtualFree(address, 0, MEM.RELEASE), `${name}: released whole`);
        }
      }
      const region = memory.allocate(100, 1 << 21, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
      try {
        assert.equal(memory.inspect(region).data.address % (1n << 21n), 0n);
      } finally {
        memory.free(region);
      }
    },
  },
  {
    name: "a failed VirtualAlloc reaches the caller with GetLastError's code and name",
    run({ memory }) {
      const error = (() => {
        try {
          memory.allocate(2 ** 46, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      assert.ok(error instanceof MemoryProtectionError, 'a 64 TiB commit fails');
      assert.equal(error.code, 'ALLOCATION_FAILED');
      assert.equal(error.syscall, 'VirtualAlloc');
      assert.ok(
        [8, 1455].includes(error.errno!),
        `ERROR_NOT_ENOUGH_MEMORY or ERROR_COMMITMENT_LIMIT, got ${error.errno}`,
      );
      assert.equal(error.errnoName, error.errno === 8 ? 'ERROR_NOT_ENOUGH_MEMORY' : 'ERROR_COMMITMENT_LIMIT');
      assert.match(error.message, /VirtualAlloc failed with ERROR_/);
    },
  },
  {
    name: 'VirtualUnlock of pages that are not locked fails with ERROR_NOT_LOCKED',
    run({ host, wine, note }) {
      const id = host.map(65536, 4096, 2, 0);
      assert.ok(id >= 0);
      try {
        const result = host.unlock(id, 0, 4096);
        if (wine) {
          note(
            `Wine ${wine} differs from Windows: VirtualUnlock of an unlocked ` +
              `range succeeds; ERROR_NOT_LOCKED (158) is checked only on Windows`,
          );
          assert.equal(result, 0);
        } else {
          assert.equal(result, 158);
          assert.equal(host.errorName(result), 'ERROR_NOT_LOCKED');
        }
      } finally {
        assert.equal(host.unmap(id), 0);
      }
    },
  },
  {
    name: 'a lock beyond the working-set quota grows the working set, retries, and inspect says so',
    run({ memory, wine, skip }) {
      if (wine) {
        skip(
          `Wine ${wine} differs from Windows: VirtualLock never reports ERROR_WORKING_SET_QUOTA ` +
            `and SetProcessWorkingSetSize changes nothing; checked only on Windows`,
        );
        return;
      }
      const before = workingSet.get();
      assert.ok(workingSet.set(200 * 1024, 1380 * 1024), 'shrink the working set to a small known quota');
      try {
        const size = 8 * 1024 * 1024; // far beyond what a 200 KiB minimum working set lets lock
        const region = memory.allocate(size, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
        try {
          const info = memory.inspect(region);
          assert.equal(info.locked, true);
          assert.equal(info.hostNotes.length, 1);
          assert.match(
            info.hostNotes[0],
            /ERROR_WORKING_SET_QUOTA; the host grew the process working set .* and the retry locked the pages/,
          );
          assert.ok(
            workingSet.get().minimum >= 200 * 1024 + info.dataPages.length,
            'the minimum grew by the locked bytes',
          );
          assert.ok(workingSetPages(info.dataPages.address, info.dataPages.length).every((page) => page.locked));
        } finally {
          memory.free(region);
        }
      } finally {
        workingSet.set(before.minimum, before.maximum);
      }
    },
  },
  {
    name: 'large pages need SeLockMemoryPrivilege: without it LargePage maps normal pages, as documented',
    run({ memory, host, note }) {
      const support = enableLargePages(bindKernel32());
      if (support.available) {
        // Held (granted by policy): large pages are always read/write, so protect is refused.
        assert.equal(host.capabilities().explicitHugePages, true);
        let region: Region;
        try {
          region = memory.allocate(support.minimum, 8, MemoryProtectionLevel.ReadWrite, AllocationType.LargePage);
        } catch (error) {
          // Physically contiguous memory may be exhausted (fragmentation): Windows' own answer.
          assert.equal((error as MemoryProtectionError).errnoName, 'ERROR_NO_SYSTEM_RESOURCES');
          note('SeLockMemoryPrivilege is held but no large page is free now (ERROR_NO_SYSTEM_RESOURCES)');
          return;
        }
        try {
          const info = memory.inspect(region);
          assert.equal(info.pageKind, 'explicit-huge');
          assert.match(info.hostNotes.join(' '), /large pages/);
          assert.throws(() => memory.protect(region, MemoryProtectionLevel.ReadOnly), {
            code: 'PROTECTION_FAILED',
            errnoName: 'ERROR_NOT_SUPPORTED',
          });
        } finally {
          memory.free(region);
        }
        return;
      }
      assert.equal(support.error, 1300, 'AdjustTokenPrivileges says ERROR_NOT_ALL_ASSIGNED');
      assert.equal(host.capabilities().explicitHugePages, false);
      const region = memory.allocate(100, 8, MemoryProtectionLevel.ReadWrite, AllocationType.LargePage);
      try {
        const info = memory.inspect(region);
        assert.equal(info.pageKind, 'normal');
        assert.equal(info.pageSize, 4096);
        assertQueried(info.data.address, 100, WINDOWS.PAGE_READWRITE, 'fallback pages');
      } finally {
        memory.free(region);
      }
    },
  },
  {
    name:
      'random bytes come from BCryptGenRandom: a draw fills the whole array, two draws differ, and a Secure ' +
      "region's canary slack (read raw) is not zero and repeats its 16-byte pattern",
    run({ host, memory }) {
      const first = new Uint8Array(300); // more than one 256-byte step of any source
      const second = new Uint8Array(300);
      assert.equal(host.randomBytes(first), 0);
      assert.equal(host.randomBytes(second), 0);
      assert.notDeepEqual(first, second);
      assert.ok(
        first.subarray(284).some((byte) => byte !== 0),
        'the last bytes are filled too',
      );
      assert.equal(host.syscalls.randomBytes, 'BCryptGenRandom');
      const region = memory.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
      try {
        const info = memory.inspect(region);
        const slack = rawBytes(info.dataPages.address, Number(info.data.address - info.dataPages.address));
        const pattern = slack.subarray(0, 16); // the data pages start page-aligned: offset & 15 is 0
        assert.ok(
          pattern.some((byte) => byte !== 0),
          'the canary is not zero',
        );
        assert.ok(
          slack.every((byte, i) => byte === pattern[i & 15]),
          'the slack repeats the pattern (the control: this is the canary)',
        );
      } finally {
        memory.free(region);
      }
    },
  },
  {
    name: 'a child that touches a guard page dies with STATUS_ACCESS_VIOLATION; touching its data does not',
    run({ runChild, wine, note }) {
      if (wine) note('the "wine: Unhandled page fault" line in this output is that child dying, as intended');
      assert.equal(runChild('data'), 0, 'control: the same child reading its data exits cleanly');
      assert.equal(runChild('guard'), WINDOWS.STATUS_ACCESS_VIOLATION);
    },
  },
];
