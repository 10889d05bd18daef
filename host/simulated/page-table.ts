// The simulated host's software page table: mappings at deterministic addresses, one
// protection and one set of VMA flags per page, the process's locked-page count, and the kernel's
// VMA count. Every operation answers as Linux does (errno numbers, partial effects), so the core
// meets the same failures it meets on a real kernel.
//
//  address space (grows upwards from BASE_ADDRESS; a one-page hole after every mapping)
//  ┌──────────── mapping 0 ────────────┬──────┬──────────── mapping 1 ───────────┬──────┬─ …
//  │ page │ page │ page │ … │ page     │ hole │ page │ page │ …                  │ hole │
//  └───────────────────────────────────┴──────┴───────────────────────────────────┴──────┴─ …
//     per page: protection (Uint8Array) · flags: lo dd dc hg ac sm (Uint8Array) · resident (Uint8Array)
//
// A VMA, as the kernel counts them, is a run of pages with equal protection and flags inside one
// mapping. Mappings never merge with each other here (the hole keeps them apart), so the count is
// the kernel's before it merges neighbours: never lower than the kernel's for the same calls.
import { MAP_EXPLICIT_HUGE, Protection, type Advice } from '../types.js';
import { EACCES, EINVAL, ENOMEM, ENOSYS, EPERM, EAGAIN } from './errno.js';
import { fillBytes } from '../../shared/intrinsics.js';
import { PROTECTION_BITS, countFlag, faultedVmas, vmaRuns, type PageRange } from './vma.js';

/** Captured at load: a Uint8Array replaced later is never handed simulated memory. */
const NativeUint8Array = Uint8Array;

/** Where the first mapping goes: 2^44, far from anything a test would type by hand. */
export const BASE_ADDRESS = 0x1000_0000_0000n;
/** The end of the simulated user address space: 2^47, as on x86-64 and arm64. */
export const ADDRESS_LIMIT = 0x8000_0000_0000n;
/** The largest mapping: its bytes live in one ArrayBuffer, and every runtime can make one of 1 GiB. */
export const MAX_MAPPING_BYTES = 2 ** 30;

// Per-page VMA flags (bits of `Mapping.flags`), named by their smaps mnemonic.
export const PAGE_LOCKED = 1 << 0; // lo: VM_LOCKED
export const PAGE_DONTDUMP = 1 << 1; // dd: VM_DONTDUMP
export const PAGE_DONTFORK = 1 << 2; // dc: VM_DONTCOPY
export const PAGE_HUGEPAGE = 1 << 3; // hg: VM_HUGEPAGE
export const PAGE_ACCOUNTED = 1 << 4; // ac: VM_ACCOUNT, set once a private page is made writable
export const PAGE_SECRET = 1 << 5; // secret memory (memfd_secret): shared (sh ms), locked, never exec

const ADVICE_FLAG: Readonly<Record<Advice, number>> = { 1: PAGE_DONTDUMP, 2: PAGE_DONTFORK, 3: PAGE_HUGEPAGE };

/** One live mapping. */
export interface Mapping {
  readonly id: number;
  readonly address: bigint;
  /** Bytes, a multiple of `granule`. */
  readonly length: number;
  /** The page size the mapping is made of: the base page, or the huge page (MAP_HUGETLB). */
  readonly granule: number;
  readonly huge: boolean;
  /** The bytes; replaced (and the old buffer detached) when lent views must die. */
  storage: ArrayBuffer;
  /** Protection code per base page. */
  readonly protection: Uint8Array;
  /** PAGE_* flags per base page. */
  readonly flags: Uint8Array;
  /** 1 where the page has been touched (written, populated by mlock, lent): its bytes may be non-zero. */
  readonly resident: Uint8Array;
  /** Views lent over `storage` since it was last replaced; those over read-only pages keep a snapshot. */
  lentViews: LentView[];
}

/** A view lent over a mapping's bytes (see memory.ts). */
export interface LentView {
  offset: number;
  /** The bytes at lending, where some pages were not writable: a write through the view is found at revoke. */
  snapshot?: Uint8Array;
}

/** What the page table was built with. */
export interface PageTableSettings {
  pageSize: number;
  hugePageSize: number;
  /** RLIMIT_MEMLOCK in bytes (Infinity: unlimited). */
  memlockLimit: number;
  /** vm.max_map_count for this simulated process (Infinity: unlimited). */
  maxMappings: number;
  explicitHugePages: boolean;
  /** memfd_secret works (mapSecret); without it mapSecret fails with ENOSYS. */
  secretMemory: boolean;
  /** Which advice the machine takes (the others fail with EINVAL, as madvise does). */
  advice: Readonly<Record<Advice, boolean>>;
}

const isWritable = (protection: number) =>
  protection === Protection.ReadWrite || protection === Protection.ReadWriteExecute;
const isExecutable = (protection: number) =>
  protection === Protection.Execute ||
  protection === Protection.ReadExecute ||
  protection === Protection.ReadWriteExecute;
const isAccessible = (protection: number) => protection !== Protection.NoAccess;
const isCount = (value: number) => Number.isSafeInteger(value) && value >= 0;
const alignUp = (value: number, alignment: number) => Math.ceil(value / alignment) * alignment;

export class PageTable {
  readonly settings: PageTableSettings;
  private readonly live = new Map<number, Mapping>();
  private nextId = 0;
  private nextAddress = BASE_ADDRESS;
  private lockedPageCount = 0;
  private vmaTotal = 0;
  /** Called when a mapping's lent views must stop working (protection change, unmap). */
  onRevoke: (mapping: Mapping) => void = () => {};

  constructor(settings: PageTableSettings) {
    this.settings = settings;
  }

  /** The live mapping with this id; throws if there is none (the core and the host disagree). */
  mapping(id: number): Mapping {
    const found = this.live.get(id);
    if (!found) throw new Error(`memshield simulated host: no mapping ${id} (core and host disagree)`);
    return found;
  }

  /** Live mappings in address order. */
  mappings(): Mapping[] {
    return [...this.live.values()];
  }

  /** The mapping holding `address`, if any. */
  mappingAt(address: bigint): Mapping | undefined {
    for (const mapping of this.live.values()) {
      if (address >= mapping.address && address < mapping.address + BigInt(mapping.length)) return mapping;
    }
    return undefined;
  }

  /** Pages locked now (the kernel's locked_vm). */
  lockedPages(): number {
    return this.lockedPageCount;
  }

  /** Pages touched (committed) in every live mapping: what they take from available memory. */
  residentPages(): number {
    let pages = 0;
    for (const mapping of this.live.values()) for (const touched of mapping.resident) pages += touched;
    return pages;
  }

  /** VMAs now, counted as in the header comment. */
  vmaCount(): number {
    return this.vmaTotal;
  }

  /** mmap(NULL, length, prot, MAP_PRIVATE | MAP_ANONYMOUS [| MAP_HUGETLB]) at an aligned address. */
  map(length: number, alignment: number, protection: number, flags: number): { id: number } | { error: number } {
    const { pageSize, hugePageSize } = this.settings;
    if (!(protection in PROTECTION_BITS) || (flags & ~MAP_EXPLICIT_HUGE) !== 0) return { error: EINVAL };
    if (!isCount(length) || length === 0 || !isCount(alignment) || (alignment & (alignment - 1)) !== 0)
      return { error: EINVAL };
    const huge = (flags & MAP_EXPLICIT_HUGE) !== 0;
    if (huge && !this.settings.explicitHugePages) return { error: ENOMEM }; // no huge page reserved
    const granule = huge ? hugePageSize : pageSize;
    const rounded = alignUp(length, granule);
    if (rounded > MAX_MAPPING_BYTES) return { error: ENOMEM };
    if (this.vmaTotal + 1 > this.settings.maxMappings) return { error: ENOMEM };
    const step = BigInt(Math.max(alignment, granule));
    const address = ((this.nextAddress + step - 1n) / step) * step;
    if (address + BigInt(rounded) > ADDRESS_LIMIT) return { error: ENOMEM };
    let storage: ArrayBuffer;
    try {
      storage = new ArrayBuffer(rounded);
    } catch {
      return { error: ENOMEM };
    }
    const pages = rounded / pageSize;
    const mapping: Mapping = {
      id: this.nextId++,
      address,
      length: rounded,
      granule,
      huge,
      storage,
      protection: new NativeUint8Array(pages).fill(protection),
      flags: new NativeUint8Array(pages).fill(isWritable(protection) && !huge ? PAGE_ACCOUNTED : 0),
      resident: new NativeUint8Array(pages),
      lentViews: [],
    };
    this.live.set(mapping.id, mapping);
    this.nextAddress = address + BigInt(rounded) + BigInt(pageSize); // leave a hole
    this.vmaTotal += 1;
    return { id: mapping.id };
  }

  /** munmap of a whole mapping: drops its locks, advice and bytes. Never splits, never fails. */
  unmap(id: number): Mapping {
    const mapping = this.mapping(id);
    this.onRevoke(mapping);
    this.vmaTotal -= vmaRuns(mapping);
    if (!mapping.huge) this.lockedPageCount -= countFlag(mapping, 0, mapping.flags.length, PAGE_LOCKED);
    this.live.delete(id);
    return mapping;
  }

  /**
   * mmap(MAP_FIXED, PROT_NONE) over a whole mapping: its bytes, locks and advice are gone, every
   * page is NoAccess and untouched, the range stays reserved (one VMA). Never fails.
   */
  decommit(id: number): void {
    const mapping = this.mapping(id);
    this.onRevoke(mapping);
    this.vmaTotal -= vmaRuns(mapping) - 1;
    if (!mapping.huge) this.lockedPageCount -= countFlag(mapping, 0, mapping.flags.length, PAGE_LOCKED);
    mapping.protection.fill(Protection.NoAccess);
    mapping.flags.fill(0);
    mapping.resident.fill(0);
    fillBytes(new NativeUint8Array(mapping.storage), 0); // the built-ins: a replaced fill never sees the bytes
  }

  /** mprotect: page-aligned start, EINVAL on a huge page's middle, ENOMEM past the end. */
  protect(id: number, offset: number, length: number, protection: number): number {
    const mapping = this.mapping(id);
    if (!(protection in PROTECTION_BITS)) return EINVAL;
    const range = this.strictRange(mapping, offset, length);
    if (typeof range === 'number') return range;
    if (range.end === range.first) return range.hole ? ENOMEM : 0;
    // Secret memory lives on a noexec mount: no VM_MAYEXEC, so exec access is refused before any change.
    if (isExecutable(protection) && countFlag(mapping, range.first, range.end, PAGE_SECRET) > 0) return EACCES;
    // VM_ACCOUNT comes with write access; taken away, it goes only if the VMA never had a page
    // faulted in (no anon_vma yet), as mprotect_fixup does.
    const faulted = isWritable(protection) ? undefined : faultedVmas(mapping, range);
    const change = (page: number) => {
      let flags = mapping.flags[page];
      if (isWritable(protection) && !mapping.huge && !(flags & PAGE_SECRET)) flags |= PAGE_ACCOUNTED;
      else if (faulted && !faulted[page - range.first]) flags &= ~PAGE_ACCOUNTED;
      return [protection, flags] as const;
    };
    if (!this.roomForSplits(mapping, range, change)) return ENOMEM;
    this.onRevoke(mapping);
    this.apply(mapping, range, change);
    return range.hole ? ENOMEM : 0; // applied up to the hole, as mprotect does
  }

  /**
   * mlock: EPERM with a zero limit, ENOMEM over the limit (pages already locked in the range are
   * not counted twice), then the pages are marked locked and faulted in; a NoAccess page cannot be
   * faulted in, so the call fails with ENOMEM although the pages stay locked (Linux does the same).
   */
  lock(id: number, offset: number, length: number): number {
    const mapping = this.mapping(id);
    const { memlockLimit, pageSize } = this.settings;
    if (memlockLimit === 0) return EPERM; // can_do_mlock(): no limit at all needs CAP_IPC_LOCK
    const range = this.looseRange(mapping, offset, length);
    if (typeof range === 'number') return range;
    const limitPages = Math.floor(memlockLimit / pageSize);
    let wanted = range.requested + this.lockedPageCount;
    if (wanted > limitPages) wanted -= mapping.huge ? 0 : countFlag(mapping, range.first, range.end, PAGE_LOCKED);
    if (wanted > limitPages) return ENOMEM;
    if (range.first === range.end) return range.hole ? ENOMEM : 0;
    // Huge-page mappings are never swapped: the kernel checks the limit but does not mark them.
    if (!mapping.huge) {
      const change = (page: number) => [mapping.protection[page], mapping.flags[page] | PAGE_LOCKED] as const;
      if (!this.roomForSplits(mapping, range, change)) return ENOMEM;
      this.apply(mapping, range, change);
    }
    if (range.hole) return ENOMEM;
    // Secret memory is locked already, but populating it fails (get_user_pages refuses it): ENOMEM.
    if (countFlag(mapping, range.first, range.end, PAGE_SECRET) > 0) return ENOMEM;
    for (let page = range.first; page < range.end; page++) {
      if (!isAccessible(mapping.protection[page])) return ENOMEM; // __mm_populate: EFAULT → ENOMEM
      // Writable pages are faulted in for writing (resident); others map the shared zero page,
      // which neither Rss nor smaps `Locked` counts.
      if (isWritable(mapping.protection[page])) mapping.resident[page] = 1;
    }
    return 0;
  }

  /** munlock: no limit, no privilege; ENOMEM past the end. */
  unlock(id: number, offset: number, length: number): number {
    const mapping = this.mapping(id);
    const range = this.looseRange(mapping, offset, length);
    if (typeof range === 'number') return range;
    if (range.first === range.end) return range.hole ? ENOMEM : 0;
    if (!mapping.huge) {
      // Secret memory stays locked: munlock skips it, as mlock_fixup skips secretmem VMAs.
      const change = (page: number) =>
        [
          mapping.protection[page],
          mapping.flags[page] & PAGE_SECRET ? mapping.flags[page] : mapping.flags[page] & ~PAGE_LOCKED,
        ] as const;
      if (!this.roomForSplits(mapping, range, change)) return ENOMEM;
      this.apply(mapping, range, change);
    }
    return range.hole ? ENOMEM : 0;
  }

  /** madvise: EINVAL for advice the machine lacks; a split past the VMA limit is EAGAIN. */
  advise(id: number, offset: number, length: number, advice: number): number {
    const mapping = this.mapping(id);
    const flag = ADVICE_FLAG[advice as Advice];
    if (flag === undefined || !this.settings.advice[advice as Advice]) return EINVAL;
    const range = this.strictRange(mapping, offset, length);
    if (typeof range === 'number') return range;
    if (range.end === range.first) return range.hole ? ENOMEM : 0;
    const change = (page: number) => [mapping.protection[page], mapping.flags[page] | flag] as const;
    if (!this.roomForSplits(mapping, range, change)) return EAGAIN; // madvise turns ENOMEM into EAGAIN
    this.apply(mapping, range, change);
    return range.hole ? ENOMEM : 0;
  }

  /**
   * memfd_secret + ftruncate + mmap(MAP_SHARED | MAP_FIXED) over [offset, offset + length), then
   * close: new zero pages, locked (counted against the memlock limit: EAGAIN past it, as
   * mlock_future_ok says), left out of dumps (VM_DONTDUMP), shared; the old pages' flags are gone.
   */
  mapSecret(id: number, offset: number, length: number, protection: number): number {
    const mapping = this.mapping(id);
    if (!this.settings.secretMemory) return ENOSYS;
    if (!(protection in PROTECTION_BITS) || mapping.huge) return EINVAL;
    if (isExecutable(protection)) return EACCES; // noexec mount
    const range = this.strictRange(mapping, offset, length);
    if (typeof range === 'number') return range;
    if (range.end === range.first || range.hole) return EINVAL; // a zero-length or out-of-mapping MAP_FIXED
    const { memlockLimit, pageSize } = this.settings;
    const alreadyLocked = countFlag(mapping, range.first, range.end, PAGE_LOCKED);
    if (this.lockedPageCount - alreadyLocked + (range.end - range.first) > Math.floor(memlockLimit / pageSize))
      return EAGAIN;
    const change = () => [protection, PAGE_SECRET | PAGE_LOCKED | PAGE_DONTDUMP] as const;
    if (!this.roomForSplits(mapping, range, change)) return ENOMEM;
    this.onRevoke(mapping);
    this.apply(mapping, range, change);
    fillBytes(new NativeUint8Array(mapping.storage, range.first * pageSize, (range.end - range.first) * pageSize), 0);
    mapping.resident.fill(0, range.first, range.end);
    return 0;
  }

  /**
   * The pages of [offset, offset + length) for mprotect and madvise: the start must be page-aligned
   * (huge-page-aligned in a huge mapping, where the end must be too), the length rounds up.
   */
  private strictRange(mapping: Mapping, offset: number, length: number): PageRange | number {
    const { pageSize } = this.settings;
    if (!isCount(offset) || !isCount(length) || offset % pageSize !== 0) return EINVAL;
    const end = alignUp(offset + length, pageSize);
    if (
      mapping.huge &&
      end > offset &&
      (offset % mapping.granule !== 0 || Math.min(end, mapping.length) % mapping.granule !== 0)
    ) {
      return EINVAL; // a huge page cannot be split
    }
    return this.resolve(mapping, offset, end);
  }

  /** The pages of [offset, offset + length) for mlock and munlock: the start rounds down. */
  private looseRange(mapping: Mapping, offset: number, length: number): PageRange | number {
    const { pageSize } = this.settings;
    if (!isCount(offset) || !isCount(length)) return EINVAL;
    const start = offset - (offset % pageSize);
    return this.resolve(mapping, start, alignUp(offset + length, pageSize));
  }

  /** Whole pages [start, end) against the mapping; an empty range is no pages and no error. */
  private resolve(mapping: Mapping, start: number, end: number): PageRange | number {
    const { pageSize } = this.settings;
    if (end === start) return { first: 0, end: 0, requested: 0, hole: false };
    if (start >= mapping.length) return ENOMEM; // no mapping at the start address
    return {
      first: start / pageSize,
      end: Math.min(end, mapping.length) / pageSize,
      requested: (end - start) / pageSize,
      hole: end > mapping.length,
    };
  }

  /** Whether the VMAs after `change` still fit under maxMappings. */
  private roomForSplits(
    mapping: Mapping,
    range: PageRange,
    change: (page: number) => readonly [number, number],
  ): boolean {
    if (!Number.isFinite(this.settings.maxMappings)) return true;
    const after = vmaRuns(mapping, range, change);
    return this.vmaTotal - vmaRuns(mapping) + after <= this.settings.maxMappings;
  }

  private apply(mapping: Mapping, range: PageRange, change: (page: number) => readonly [number, number]): void {
    const before = vmaRuns(mapping);
    for (let page = range.first; page < range.end; page++) {
      const [protection, flags] = change(page);
      if (!mapping.huge) this.lockedPageCount += (flags & PAGE_LOCKED) - (mapping.flags[page] & PAGE_LOCKED);
      mapping.protection[page] = protection;
      mapping.flags[page] = flags;
    }
    this.vmaTotal += vmaRuns(mapping) - before;
  }
}
