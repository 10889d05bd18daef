// Everything the contract cases may find different from one platform to another, in one place.
// A case reads what it needs from here instead of testing `platform === …` itself. Linux and the
// simulated host are fixed entries; Windows and macOS depend on the host (and on Wine).
import { readFileSync } from 'node:fs';
import { SMAPS_PERMISSIONS } from '../../host/smaps.js';
import { WORKING_SET_FLAGS } from '../../host/win32-query.js';
import type { MemoryProtectionLevel, PageKind } from '../../src/index.js';
import type { Host } from '../../src/testing.js';

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
  /**
   * The kernel view's `residentBytes` counts the pages committed now (Linux smaps Rss; the
   * simulated host's written pages), so a case may check what an allocation committed.
   */
  residency: boolean;
  /** The error of a 2^47-byte Regular allocation (more than the address space can hold). */
  impossibleAllocation: { syscall: string; errnoName: string };
  /** Where LargePage allocations land, on this machine (read when a case asks). */
  largePages(): LargePages;
}

const LINUX_FLAGS = { locked: 'lo', dontDump: 'dd', dontFork: 'dc', hugePage: 'hg' };

/** Linux: explicit huge pages if some are free, else THP if its mode allows advice, else normal pages. */
function linuxLargePages(): LargePages {
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const hugePageSize = Number(/^Hugepagesize:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 2048) * 1024;
  const free = Number(/^HugePages_Free:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  let thp = 'never';
  try {
    thp = /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1] ?? 'never';
  } catch {
    /* a kernel without THP */
  }
  if (free > 0) return { pageKind: 'explicit-huge', pageSize: hugePageSize };
  if (thp === 'always' || thp === 'madvise') return { pageKind: 'transparent-huge', pageSize: hugePageSize };
  return { pageKind: 'normal', pageSize: 4096 };
}

export const PLATFORM_DIFFERENCES: Readonly<
  Partial<Record<'linux' | 'simulated' | 'darwin' | 'win32', PlatformDifferences>>
> = {
  linux: {
    dumpExclusion: true,
    forkExclusion: true,
    kernel: { permissions: SMAPS_PERMISSIONS, flags: LINUX_FLAGS },
    residency: true,
    impossibleAllocation: { syscall: 'mmap', errnoName: 'ENOMEM' },
    largePages: linuxLargePages,
  },
  // The simulated host prints its page table the way Linux prints smaps; with default
  // capabilities it offers transparent 2 MiB huge pages and no explicit ones.
  simulated: {
    dumpExclusion: true,
    forkExclusion: true,
    kernel: { permissions: SMAPS_PERMISSIONS, flags: LINUX_FLAGS },
    residency: true,
    impossibleAllocation: { syscall: 'mmap', errnoName: 'ENOMEM' },
    largePages: () => ({ pageKind: 'transparent-huge', pageSize: 2 * 1024 * 1024 }),
  },
};

const WIN32_PERMISSIONS = {
  NoAccess: 'PAGE_NOACCESS',
  ReadOnly: 'PAGE_READONLY',
  ReadWrite: 'PAGE_READWRITE',
  Execute: 'PAGE_EXECUTE',
  ReadExecute: 'PAGE_EXECUTE_READ',
  ReadWriteExecute: 'PAGE_EXECUTE_READWRITE',
} as const;

/**
 * Windows: no core-dump exclusion and no fork(); VirtualQuery's protections and
 * QueryWorkingSetEx's Locked bit as the kernel view. Windows never prints the dump, fork or THP
 * words: they stand for flags that must stay absent, as memshield reports those off.
 * Under Wine (`wine` is its version), QueryWorkingSetEx never reports Locked
 * (shared/PLATFORM-NOTES.md), so the kernel comparison is left out there: the win32 cases check
 * VirtualQuery instead.
 */
export function win32Differences(host: Host, wine: string | undefined): PlatformDifferences {
  return {
    dumpExclusion: false,
    forkExclusion: false,
    residency: false, // the working set is not what was committed: VirtualAlloc commits at once
    kernel: wine
      ? undefined
      : {
          permissions: WIN32_PERMISSIONS,
          flags: {
            locked: WORKING_SET_FLAGS.locked,
            dontDump: '(no dump exclusion on Windows)',
            dontFork: '(no fork on Windows)',
            hugePage: '(no THP on Windows)',
          },
        },
    // 2^47 bytes exceed the whole user address space (128 TiB less 64 KiB), so VirtualAlloc calls
    // the size invalid (measured under Wine 8; on Windows checked by the windows CI job).
    impossibleAllocation: { syscall: 'VirtualAlloc', errnoName: 'ERROR_INVALID_PARAMETER' },
    largePages: () => {
      const capabilities = host.capabilities();
      return capabilities.explicitHugePages
        ? { pageKind: 'explicit-huge', pageSize: capabilities.hugePageSize }
        : { pageKind: 'normal', pageSize: host.pageSize() };
    },
  };
}

/**
 * macOS: no MADV_DONTDUMP (dumpExclusion false), fork exclusion through minherit; the host has no
 * kernel view (test/darwin/darwin-host.test.ts reads mach_vm_region itself); no huge pages for
 * anonymous memory, so LargePage maps normal pages. Checked only by the macOS CI job.
 */
export function darwinDifferences(host: Host): PlatformDifferences {
  return {
    dumpExclusion: false,
    forkExclusion: true,
    kernel: undefined,
    residency: false,
    // mach_vm_allocate finds no room for 2^47 bytes: KERN_NO_SPACE, which xnu's BSD layer calls ENOMEM.
    impossibleAllocation: { syscall: 'mach_vm_allocate', errnoName: 'ENOMEM' },
    largePages: () => ({ pageKind: 'normal', pageSize: host.pageSize() }),
  };
}
