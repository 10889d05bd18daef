// What the contract suite (test/contract) may find different on Windows, in the shape of
// test/contract/platform-differences.ts, for the win32 host under Wine and on Windows.
import { createRequire } from 'node:module';
import type { Host } from '../../host/types.js';
import { WORKING_SET_FLAGS } from '../../host/win32-query.js';
import type { PlatformDifferences } from '../contract/platform-differences.js';

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
 * Under Wine, QueryWorkingSetEx never reports Locked (shared/PLATFORM-NOTES.md), so the
 * contract's kernel comparison is left out there: the win32 cases check VirtualQuery instead.
 */
export function win32Differences(host: Host, wine: string | undefined): PlatformDifferences {
  return {
    dumpExclusion: false,
    forkExclusion: false,
    kernel: wine ? undefined : {
      permissions: WIN32_PERMISSIONS,
      flags: { locked: WORKING_SET_FLAGS.locked, dontDump: '(no dump exclusion on Windows)', dontFork: '(no fork on Windows)', hugePage: '(no THP on Windows)' },
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

/** Writes through a raw pointer with koffi, as native code would. */
export function koffiWrite(address: bigint, bytes: Uint8Array): void {
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  new Uint8Array(koffi.view(address, bytes.length)).set(bytes);
}
