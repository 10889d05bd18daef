// The doctor's live self-test: one Secure region taken through the public API — protection
// changes, a refused write and read, a write/read round trip, lock/unlock/lock, secureClear and
// free — each step checked against memshield's own report AND the kernel's (/proc/self/smaps,
// VmLck). Nothing is left mapped, whichever step fails.
import type { AddressRange, RegionInfo } from '../inspect.js';
import { MemoryProtectionError } from '../errors.js';
import { AllocationType, MemoryProtectionLevel } from '../levels.js';
import type { PlatformMemory } from '../platform-memory.js';
import type { Region } from '../region.js';
import type { Host, KernelRange } from '../../host/types.js';
import { formatBytes, hex } from './format.js';
import {
  SMAPS_PERMISSIONS,
  describeEntries,
  everyHasFlag,
  lockedBytesOf,
  noneHasFlag,
  permissionsOf,
} from './kernel-view.js';

/** The size and alignment of the self-test's secret: 32 bytes, like a 256-bit key. */
export const SELF_TEST_SIZE = 32;
export const SELF_TEST_ALIGN = 8;

/** One step of the self-test. */
export interface SelfTestStep {
  /** What was done, e.g. `protect ReadOnly`. */
  name: string;
  /** Every check of the step held. */
  ok: boolean;
  /** Not run, because an earlier step left nothing to run it on. */
  skipped?: boolean;
  /** What the kernel reports for the region afterwards, e.g. `r--p lo dd dc`. */
  kernel?: string;
  /** Other evidence, e.g. `VmLck 0 B → 4 KiB`. */
  detail?: string;
  /** The checks that failed, each a sentence. */
  problems: string[];
}

/** The whole self-test. */
export interface SelfTestResult {
  ok: boolean;
  size: number;
  align: number;
  type: AllocationType;
  /** Where the kernel's view comes from (`/proc/self/smaps`), or undefined where there is none. */
  kernelSource?: string;
  /** `inspect(region)` right after allocation: the picture is drawn from it. */
  region?: RegionInfo;
  steps: SelfTestStep[];
}

/** Collects the checks of one step that did not hold. */
class Checks {
  readonly problems: string[] = [];

  that(condition: boolean, problem: string): void {
    if (!condition) this.problems.push(problem);
  }

  /** `action` must throw a MemoryProtectionError with `code`, and nothing else. */
  refused(action: () => unknown, code: string, what: string): void {
    try {
      action();
      this.problems.push(`${what} was allowed; expected ${code}`);
    } catch (error) {
      const got = error instanceof MemoryProtectionError ? error.code : String(error);
      this.that(got === code, `${what} failed with ${got}; expected ${code}`);
    }
  }
}

/** What a step returns besides its checks. */
type StepOutcome = { kernel?: string; detail?: string } | undefined;

/** Runs the self-test on `memory` (the native PlatformMemory by default). Never throws. */
export function runSelfTest(memory: PlatformMemory, hostOfMemory: () => Host): SelfTestResult {
  const result: SelfTestResult = {
    ok: false,
    size: SELF_TEST_SIZE,
    align: SELF_TEST_ALIGN,
    type: AllocationType.Secure,
    steps: [],
  };
  let host: Host | undefined;
  try {
    host = hostOfMemory(); // reaching the native host may fail: then the first step says why
  } catch {
    host = undefined;
  }
  // Kernel checks use Linux's smaps notation; other hosts are checked on memshield's own report.
  const kernelChecks = host?.platform === 'linux' && typeof host.kernelView === 'function';
  if (kernelChecks) result.kernelSource = '/proc/self/smaps';
  const lockedNow = (): number | undefined => host?.memlockStatus()?.lockedBytes;

  let region: Region | undefined;
  let info: RegionInfo | undefined;
  let lockedBefore: number | undefined;
  const written = new Uint8Array(SELF_TEST_SIZE);

  function step(name: string, body: (check: Checks, region: Region, info: RegionInfo) => StepOutcome): void {
    if (!region || !info) {
      result.steps.push({
        name,
        ok: false,
        skipped: true,
        detail: 'skipped: there is no region to test',
        problems: [],
      });
      return;
    }
    const check = new Checks();
    try {
      const outcome = body(check, region, info) ?? {};
      result.steps.push({ name, ok: check.problems.length === 0, ...outcome, problems: check.problems });
    } catch (error) {
      result.steps.push({ name, ok: false, problems: [...check.problems, describeError(error)] });
    }
  }

  /** The data pages as the kernel sees them now, checked for `level`, the lock and the advice. */
  function dataPagesNow(check: Checks, level: MemoryProtectionLevel, locked: boolean): string | undefined {
    const now = memory.inspect(region!);
    check.that(now.protection === level, `memshield reports ${now.protection}; expected ${level}`);
    check.that(
      now.locked === locked,
      `memshield reports ${now.locked ? 'locked' : 'not locked'}; expected ${locked ? 'locked' : 'not locked'}`,
    );
    if (!kernelChecks) return undefined;
    const pages = kernelOf(now.dataPages);
    expectPermissions(check, pages, level, 'data pages');
    for (const flag of ['dd', 'dc']) check.that(everyHasFlag(pages, flag), `data pages lack VmFlag ${flag}`);
    if (locked) {
      check.that(everyHasFlag(pages, 'lo'), 'data pages lack VmFlag lo (locked)');
      check.that(
        lockedBytesOf(pages) >= now.dataPages.length,
        `smaps Locked is ${formatBytes(lockedBytesOf(pages))}; expected ${formatBytes(now.dataPages.length)}`,
      );
    } else {
      check.that(noneHasFlag(pages, 'lo'), 'data pages still carry VmFlag lo (locked)');
      check.that(lockedBytesOf(pages) === 0, `smaps Locked is ${formatBytes(lockedBytesOf(pages))}; expected 0 B`);
    }
    for (const guard of now.guards)
      expectPermissions(check, kernelOf(guard), MemoryProtectionLevel.NoAccess, `${guard.position} guard`);
    return describeEntries(pages);
  }

  /** VmLck now, checked against the value before allocation plus `extra` bytes. */
  function vmLckNow(check: Checks, extra: number): string | undefined {
    const now = lockedNow();
    if (now === undefined || lockedBefore === undefined) return undefined;
    check.that(
      now === lockedBefore + extra,
      `VmLck is ${formatBytes(now)}; expected ${formatBytes(lockedBefore + extra)}`,
    );
    return `VmLck ${formatBytes(now)}`;
  }

  const dataPagesLength = () => info!.dataPages.length;

  // 1. A Secure allocation: guard | locked, dump- and fork-excluded data pages | guard.
  const allocateStep = `allocate ${AllocationType.Secure} ${formatBytes(SELF_TEST_SIZE)}`;
  try {
    lockedBefore = lockedNow();
    region = memory.allocate(SELF_TEST_SIZE, SELF_TEST_ALIGN, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    info = memory.inspect(region);
    result.region = info;
  } catch (error) {
    result.steps.push({ name: allocateStep, ok: false, problems: [describeError(error)] });
  }
  if (region && info) {
    step(allocateStep, (check, _region, info) => {
      check.that(info.type === AllocationType.Secure, `memshield reports type ${info.type}`);
      check.that(info.dumpExcluded && info.forkExcluded, 'memshield reports the region is not dump- and fork-excluded');
      check.that(info.guards.length === 2, `${info.guards.length} guard ranges; expected one before and one after`);
      check.that(
        info.data.address % BigInt(SELF_TEST_ALIGN) === 0n,
        `data address ${hex(info.data.address)} is not ${SELF_TEST_ALIGN}-aligned`,
      );
      const trailing = info.guards.find((guard) => guard.position === 'after');
      const gap = trailing ? Number(trailing.address - (info.data.address + BigInt(info.data.length))) : -1;
      check.that(gap >= 0 && gap < SELF_TEST_ALIGN, `data does not end at the trailing guard (gap ${gap})`);
      const pages = dataPagesNow(check, MemoryProtectionLevel.ReadWrite, true);
      const lock = vmLckNow(check, dataPagesLength());
      // The whole mapping, left to right: guard │ data pages │ guard.
      const kernel =
        pages &&
        [
          ...info.guards.filter((g) => g.position === 'before').map((g) => describeEntries(kernelOf(g))),
          pages,
          ...info.guards.filter((g) => g.position === 'after').map((g) => describeEntries(kernelOf(g))),
        ].join(' │ ');
      return { kernel, detail: lock && `${lock} (was ${formatBytes(lockedBefore!)})` };
    });
  }

  // 2–6. Protection changes; the core refuses what the protection forbids (an error, not a crash).
  step('protect ReadOnly', (check, region) => {
    memory.protect(region, MemoryProtectionLevel.ReadOnly);
    return { kernel: dataPagesNow(check, MemoryProtectionLevel.ReadOnly, true) };
  });
  step('write while ReadOnly is refused', (check, region) => {
    check.refused(
      () => memory.write(region, new Uint8Array(SELF_TEST_SIZE)),
      'ACCESS_DENIED',
      'writing a ReadOnly region',
    );
    return { kernel: dataPagesNow(check, MemoryProtectionLevel.ReadOnly, true), detail: 'ACCESS_DENIED' };
  });
  step('protect NoAccess', (check, region) => {
    memory.protect(region, MemoryProtectionLevel.NoAccess);
    return { kernel: dataPagesNow(check, MemoryProtectionLevel.NoAccess, true) };
  });
  step('read while NoAccess is refused', (check, region) => {
    check.refused(() => memory.read(region), 'ACCESS_DENIED', 'reading a NoAccess region');
    return { kernel: dataPagesNow(check, MemoryProtectionLevel.NoAccess, true), detail: 'ACCESS_DENIED' };
  });
  step('protect ReadWrite', (check, region) => {
    memory.protect(region, MemoryProtectionLevel.ReadWrite);
    return { kernel: dataPagesNow(check, MemoryProtectionLevel.ReadWrite, true) };
  });

  // 7. Bytes in and out. The pattern has no zero byte, so the clear below is a real change.
  step(`write/read ${formatBytes(SELF_TEST_SIZE)} round trip`, (check, region) => {
    globalThis.crypto.getRandomValues(written);
    for (let i = 0; i < written.length; i++) written[i] ||= 0xa5;
    memory.write(region, written);
    const back = memory.read(region);
    check.that(equalBytes(back, written), 'the bytes read back differ from the bytes written');
    return {
      kernel: dataPagesNow(check, MemoryProtectionLevel.ReadWrite, true),
      detail: `${back.length} B read back equal`,
    };
  });

  // 8–10. Locking twice changes nothing; unlock gives the pages back; lock takes them again.
  step('lock (already locked: no change)', (check, region) => {
    memory.lock(region);
    return {
      kernel: dataPagesNow(check, MemoryProtectionLevel.ReadWrite, true),
      detail: vmLckNow(check, dataPagesLength()),
    };
  });
  step('unlock', (check, region) => {
    memory.unlock(region);
    check.that(!region.locked, 'region.locked is still true');
    return { kernel: dataPagesNow(check, MemoryProtectionLevel.ReadWrite, false), detail: vmLckNow(check, 0) };
  });
  step('lock', (check, region) => {
    memory.lock(region);
    check.that(region.locked, 'region.locked is false');
    return {
      kernel: dataPagesNow(check, MemoryProtectionLevel.ReadWrite, true),
      detail: vmLckNow(check, dataPagesLength()),
    };
  });

  // 11. secureClear: the control read shows the secret is there, the second read that it is gone.
  step('secureClear', (check, region) => {
    const before = memory.read(region);
    check.that(
      equalBytes(before, written),
      'before the clear, the region does not hold the bytes written (the check below would prove nothing)',
    );
    memory.secureClear(region);
    const after = memory.read(region);
    const nonZero = after.filter((byte) => byte !== 0).length;
    check.that(nonZero === 0, `${nonZero} of ${after.length} bytes are not zero after secureClear`);
    return {
      kernel: dataPagesNow(check, MemoryProtectionLevel.ReadWrite, true),
      detail: `${after.length} B read back, all zero`,
    };
  });

  // 12. free: the kernel no longer has the mapping, and VmLck is back where it started.
  step('free', (check, region, info) => {
    memory.free(region);
    check.that(region.freed, 'region.freed is false');
    let kernel: string | undefined;
    if (kernelChecks) {
      const left = host!.kernelView!(info.mapping.address, info.mapping.length);
      check.that(
        left.length === 0,
        `smaps still has ${describeEntries(left)} in ` +
          `${hex(info.mapping.address)}–${hex(info.mapping.address + BigInt(info.mapping.length))}`,
      );
      kernel =
        left.length === 0
          ? `no entry in ${hex(info.mapping.address)}–${hex(info.mapping.address + BigInt(info.mapping.length))}`
          : describeEntries(left);
    }
    const lock = vmLckNow(check, 0);
    return { kernel, detail: lock && `${lock}, as before allocation` };
  });

  // 13–14. The freed region is recognised: use after free and double free are errors.
  step('use after free is refused', (check, region) => {
    check.refused(() => memory.read(region), 'USE_AFTER_FREE', 'reading a freed region');
    return { detail: 'USE_AFTER_FREE' };
  });
  step('double free is refused', (check, region) => {
    check.refused(() => memory.free(region), 'DOUBLE_FREE', 'freeing a region twice');
    return { detail: 'DOUBLE_FREE' };
  });

  // Whatever failed above, nothing stays mapped.
  if (region && !safely(() => region!.freed)) safely(() => memory.free(region!));
  result.ok = result.steps.every((s) => s.ok);
  return result;
}

/** The kernel's entries of a range; a host without a kernel view gives none. */
function kernelOf(range: AddressRange): KernelRange[] {
  return range.kernel ?? [];
}

function expectPermissions(check: Checks, entries: KernelRange[], level: MemoryProtectionLevel, what: string): void {
  const permissions = permissionsOf(entries);
  const expected = SMAPS_PERMISSIONS[level];
  check.that(
    permissions.length === 1 && permissions[0] === expected,
    `${what}: smaps shows ${permissions.join(' + ') || 'no entry'}; expected ${expected}`,
  );
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function describeError(error: unknown): string {
  if (error instanceof MemoryProtectionError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function safely<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch {
    return undefined;
  }
}
