// RegionInfo: what memshield knows about a region, beside what the kernel itself reports.
import { RuntimeRefusedError } from '../host/runtime-refusal.js';
import type { Host, KernelRange } from '../host/types.js';
import { MemoryProtectionError } from './errors.js';
import type { CoreExports } from './core.js';
import { Field, RegionFlag } from './generated/core-numbers.js';
import {
  ALLOCATION_TYPES,
  PAGE_KINDS,
  PROTECTION_LEVELS,
  type AllocationType,
  type MemoryBacking,
  type MemoryProtectionLevel,
  type PageKind,
} from './levels.js';

/** An address range; `kernel` lists the OS's own entries overlapping it (Linux smaps). */
export interface AddressRange {
  /** Start address. */
  address: bigint;
  /** Length in bytes. */
  length: number;
  /** The kernel's entries that overlap this range, where the host can read them. */
  kernel?: KernelRange[];
}

/** A guard range and which side of the data it is on. */
export interface GuardRange extends AddressRange {
  position: 'before' | 'after';
}

/** Everything `inspect` reports about a region. */
export interface RegionInfo {
  /** The host behind it: `linux`, `darwin`, `win32` or `simulated`. */
  host: Host['platform'];
  type: AllocationType;
  protection: MemoryProtectionLevel;
  /** The data pages are locked in RAM. */
  locked: boolean;
  /** A lock was asked for (Secure) — if `locked` is false, it failed and best effort was chosen. */
  lockRequested: boolean;
  /** Left out of core dumps (MADV_DONTDUMP). */
  dumpExcluded: boolean;
  /** Not inherited by fork() children (MADV_DONTFORK). */
  forkExcluded: boolean;
  /** Canary bytes guard the slack around the data. */
  canary: boolean;
  /** How the pages are backed. */
  pageKind: PageKind;
  /** What the data pages are: `secret-memory` (Linux memfd_secret) or `anonymous` (ordinary private pages). */
  backing: MemoryBacking;
  /** Secret memory was asked for (`secretMemory: 'preferred'`); with `backing` 'anonymous', it could not be had. */
  secretMemoryRequested: boolean;
  /** Transparent huge pages were asked for (MADV_HUGEPAGE). */
  hugePagesAdvised: boolean;
  /** The page size in use for this region: protection and guard pages follow it. */
  pageSize: number;
  size: number;
  align: number;
  /** The whole mapping, guards included. */
  mapping: AddressRange;
  /** The data pages: whole pages holding the data and its canary slack. */
  dataPages: AddressRange;
  /** The bytes the caller reads and writes. */
  data: AddressRange;
  /** The guard ranges (NoAccess), in address order. */
  guards: GuardRange[];
  /** What the host did on its own for this region, e.g. grew the Windows working set to lock it. */
  hostNotes: string[];
}

function withKernel(range: AddressRange, view: KernelRange[] | undefined): AddressRange {
  if (!view) return range;
  const end = range.address + BigInt(range.length);
  return { ...range, kernel: view.filter((entry) => entry.start < end && entry.end > range.address) };
}

/** The kernel's entries for a mapping; a runtime's refusal to read them is NOT_SUPPORTED naming its flag. */
function kernelViewOf(host: Host, address: bigint, length: number): KernelRange[] | undefined {
  try {
    return host.kernelView?.(address, length);
  } catch (error) {
    if (!(error instanceof RuntimeRefusedError)) throw error;
    throw new MemoryProtectionError(
      'NOT_SUPPORTED',
      `cannot inspect the region: the kernel's view of it is in ${error.path}, and this runtime refused to read it. ` +
        `Run with ${error.flag} to call inspect() (Deno reads /proc only with ` +
        `--allow-all, whatever --allow-read names); everything else works without it.`,
    );
  }
}

/** Builds the RegionInfo of a live slot. */
export function describeRegion(core: CoreExports, host: Host, slot: number): RegionInfo {
  const field = (name: keyof typeof Field) => core.regionField(slot, Field[name]);
  const flags = field('flags');
  const base = host.address(core.regionHostId(slot));
  const mappingLength = field('mappingLength');
  const pagesOffset = field('dataPagesOffset');
  const pagesLength = field('dataPagesLength');
  const view = kernelViewOf(host, base, mappingLength);
  const range = (offset: number, length: number) => withKernel({ address: base + BigInt(offset), length }, view);
  const guards: GuardRange[] = [];
  if (pagesOffset > 0) guards.push({ ...range(0, pagesOffset), position: 'before' });
  const after = mappingLength - pagesOffset - pagesLength;
  if (after > 0) guards.push({ ...range(pagesOffset + pagesLength, after), position: 'after' });
  return {
    host: host.platform,
    type: ALLOCATION_TYPES[field('type')],
    protection: PROTECTION_LEVELS[field('protection')],
    locked: (flags & RegionFlag.LOCKED) !== 0,
    lockRequested: (flags & RegionFlag.LOCK_WANTED) !== 0,
    dumpExcluded: (flags & RegionFlag.DONTDUMP) !== 0,
    forkExcluded: (flags & RegionFlag.DONTFORK) !== 0,
    canary: (flags & RegionFlag.CANARY) !== 0,
    pageKind: PAGE_KINDS[field('pageKind')],
    backing: flags & RegionFlag.SECRET_MEMORY ? 'secret-memory' : 'anonymous',
    secretMemoryRequested: (flags & RegionFlag.SECRET_WANTED) !== 0,
    hugePagesAdvised: (flags & RegionFlag.HUGEPAGE_ADVISED) !== 0,
    pageSize: field('granule'),
    size: field('size'),
    align: field('align'),
    mapping: range(0, mappingLength),
    dataPages: range(pagesOffset, pagesLength),
    data: range(field('dataOffset'), field('size')),
    guards,
    hostNotes: host.notes?.(core.regionHostId(slot)) ?? [],
  };
}
