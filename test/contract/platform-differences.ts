// Everything the contract cases may find different from one platform to another, in one place.
// A case reads what it needs from here instead of testing `platform === …` itself; a platform
// that joins (win32, darwin) adds its entry and runs the same cases.
import { readFileSync } from 'node:fs';
import type { MemoryProtectionLevel, PageKind } from '../../src/index.js';

/** Where a LargePage allocation lands on this machine. */
export interface LargePages {
  pageKind: PageKind;
  /** The page size in use for the region (`inspect().pageSize`). */
  pageSize: number;
}

/** What legitimately differs per platform. */
export interface PlatformDifferences {
  /** Secure regions are left out of core dumps (MADV_DONTDUMP), and `inspect` says so. */
  dumpExclusion: boolean;
  /** Secure regions are kept from fork() children (MADV_DONTFORK). */
  forkExclusion: boolean;
  /** How the kernel view (`inspect().mapping.kernel`) spells things; undefined where there is none. */
  kernel?: {
    /** The permission string of each protection level. */
    permissions: Readonly<Record<MemoryProtectionLevel, string>>;
    /** Flag words for: locked, dump-excluded, fork-excluded, transparent huge pages advised. */
    flags: { locked: string; dontDump: string; dontFork: string; hugePage: string };
  };
  /** The error of a 2^47-byte Regular allocation (more than the address space can hold). */
  impossibleAllocation: { syscall: string; errnoName: string };
  /** Where LargePage allocations land, on this machine (read when a case asks). */
  largePages(): LargePages;
}

const LINUX_PERMISSIONS = {
  NoAccess: '---p',
  ReadOnly: 'r--p',
  ReadWrite: 'rw-p',
  Execute: '--xp',
  ReadExecute: 'r-xp',
  ReadWriteExecute: 'rwxp',
} as const;
const LINUX_FLAGS = { locked: 'lo', dontDump: 'dd', dontFork: 'dc', hugePage: 'hg' };

/** Linux: explicit huge pages if some are free, else THP if its mode allows advice, else normal pages. */
function linuxLargePages(): LargePages {
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const hugePageSize = Number(/^Hugepagesize:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 2048) * 1024;
  const free = Number(/^HugePages_Free:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  let thp = 'never';
  try {
    thp = /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1] ?? 'never';
  } catch { /* a kernel without THP */ }
  if (free > 0) return { pageKind: 'explicit-huge', pageSize: hugePageSize };
  if (thp === 'always' || thp === 'madvise') return { pageKind: 'transparent-huge', pageSize: hugePageSize };
  return { pageKind: 'normal', pageSize: 4096 };
}

export const PLATFORM_DIFFERENCES: Readonly<Partial<Record<'linux' | 'simulated' | 'darwin' | 'win32', PlatformDifferences>>> = {
  linux: {
    dumpExclusion: true,
    forkExclusion: true,
    kernel: { permissions: LINUX_PERMISSIONS, flags: LINUX_FLAGS },
    impossibleAllocation: { syscall: 'mmap', errnoName: 'ENOMEM' },
    largePages: linuxLargePages,
  },
  // The simulated host prints its page table the way Linux prints smaps; with default
  // capabilities it offers transparent 2 MiB huge pages and no explicit ones.
  simulated: {
    dumpExclusion: true,
    forkExclusion: true,
    kernel: { permissions: LINUX_PERMISSIONS, flags: LINUX_FLAGS },
    impossibleAllocation: { syscall: 'mmap', errnoName: 'ENOMEM' },
    largePages: () => ({ pageKind: 'transparent-huge', pageSize: 2 * 1024 * 1024 }),
  },
};
