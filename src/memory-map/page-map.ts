// A region's pages one by one, as the memory map draws them: which are guards, which hold data or
// canary bytes, and each page's protection, lock, dump and fork exclusion and backing. Read from
// the kernel's own entries where the host has them (Linux smaps, the simulated host's page
// table), otherwise from memshield's own record.
//
//  mapping ┌────────┬────────┬────────┬────────┐
//          │ guard  │ canary │ data   │ guard  │   ← role, one cell per page
//          │ ---p   │ rw-p   │ rw-p   │ ---p   │   ← permissions (kernel or memshield)
//          │ dd dc  │ lo dd  │ lo dd  │ dd dc  │   ← flags: lo locked, dd no dump, dc no fork, secret
//          └────────┴────────┴────────┴────────┘
import type { KernelRange } from '../../host/types.js';
import type { RegionInfo } from '../inspect.js';

/** What a page holds. */
export type PageRole = 'guard' | 'data' | 'canary' | 'data+canary' | 'slack';

/** One page of a memory map. */
export interface MapPage {
  /** The page's first address. */
  address: bigint;
  role: PageRole;
  /** Permissions as /proc/self/smaps prints them, e.g. `rw-p`, `---p`, `rw-s` (secret memory). */
  permissions: string;
  /** Locked in RAM (VmFlag `lo`). */
  locked: boolean;
  /** Left out of core dumps (VmFlag `dd`). */
  dumpExcluded: boolean;
  /** Not inherited by fork() children (VmFlag `dc`). */
  forkExcluded: boolean;
  /** Backed by secret memory (memfd_secret): a shared mapping, `…s` permissions. */
  secretMemory: boolean;
}

/** The pages of one region, in address order. */
export interface MapRegion {
  /** Where the page states come from: the kernel's entries, or memshield's own record. */
  source: 'kernel' | 'memshield';
  /** The host behind the region: `linux`, `simulated`, … */
  host: string;
  pageSize: number;
  /** The caller's bytes. */
  data: { address: bigint; length: number };
  pages: MapPage[];
}

/** Permission letters of each protection level, as smaps prints them (private mapping). */
const LEVEL_PERMISSIONS: Readonly<Record<string, string>> = {
  NoAccess: '---p',
  ReadOnly: 'r--p',
  ReadWrite: 'rw-p',
  Execute: '--xp',
  ReadExecute: 'r-xp',
  ReadWriteExecute: 'rwxp',
};

/** The role of the page at [start, end) of a region's data pages. */
function roleOf(info: RegionInfo, start: bigint, end: bigint): PageRole {
  const dataStart = info.data.address;
  const dataEnd = dataStart + BigInt(info.data.length);
  const holdsData = info.data.length > 0 && start < dataEnd && end > dataStart;
  const holdsSlack = start < dataStart || end > dataEnd;
  if (holdsData) return holdsSlack && info.canary ? 'data+canary' : 'data';
  return info.canary ? 'canary' : 'slack';
}

/** The page's state from the kernel entry that covers it. */
function fromKernel(entry: KernelRange): Omit<MapPage, 'address' | 'role'> {
  return {
    permissions: entry.permissions,
    locked: entry.flags.includes('lo'),
    dumpExcluded: entry.flags.includes('dd'),
    forkExcluded: entry.flags.includes('dc'),
    secretMemory: entry.permissions.endsWith('s'),
  };
}

/** The page's state as memshield records it (hosts without a kernel view). */
function fromRecord(info: RegionInfo, guard: boolean): Omit<MapPage, 'address' | 'role'> {
  return {
    permissions: guard ? LEVEL_PERMISSIONS.NoAccess : LEVEL_PERMISSIONS[info.protection],
    locked: !guard && info.locked,
    dumpExcluded: info.dumpExcluded,
    forkExcluded: info.forkExcluded,
    secretMemory: !guard && info.backing === 'secret-memory',
  };
}

/**
 * The pages of a region as `inspect()` reports them.
 * @param info - what `inspect(region)` returned (or one arena of `SecureHeap.inspect()`)
 * @returns one entry per page of the whole mapping, guards included
 */
export function pagesOf(info: RegionInfo): MapRegion {
  const kernel = info.mapping.kernel;
  const source = kernel && kernel.length > 0 ? 'kernel' : 'memshield';
  const page = BigInt(info.pageSize);
  const pagesStart = info.dataPages.address;
  const pagesEnd = pagesStart + BigInt(info.dataPages.length);
  const pages: MapPage[] = [];
  const end = info.mapping.address + BigInt(info.mapping.length);
  for (let address = info.mapping.address; address < end; address += page) {
    const guard = address < pagesStart || address >= pagesEnd;
    const entry = kernel?.find((range) => range.start <= address && range.end > address);
    const state =
      source === 'kernel'
        ? entry
          ? fromKernel(entry)
          : { ...fromRecord(info, guard), permissions: 'none' }
        : fromRecord(info, guard);
    pages.push({ address, role: guard ? 'guard' : roleOf(info, address, address + page), ...state });
  }
  return {
    source,
    host: info.host,
    pageSize: info.pageSize,
    data: { address: info.data.address, length: info.data.length },
    pages,
  };
}
