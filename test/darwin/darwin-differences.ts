// What the contract suite (test/contract) may find different on macOS, in the shape of
// test/contract/platform-differences.ts. Written here; checked only by the macOS CI job.
import { createRequire } from 'node:module';
import type { Host } from '../../host/types.js';
import type { PlatformDifferences } from '../contract/platform-differences.js';

/**
 * macOS: no MADV_DONTDUMP (dumpExclusion false), fork exclusion through minherit; the host has no
 * kernel view (darwin-host.test.ts reads mach_vm_region itself); no huge pages for anonymous
 * memory, so LargePage maps normal pages.
 */
export function darwinDifferences(host: Host): PlatformDifferences {
  return {
    dumpExclusion: false,
    forkExclusion: true,
    kernel: undefined,
    // mach_vm_allocate finds no room for 2^47 bytes: KERN_NO_SPACE, which xnu's BSD layer calls ENOMEM.
    impossibleAllocation: { syscall: 'mach_vm_allocate', errnoName: 'ENOMEM' },
    largePages: () => ({ pageKind: 'normal', pageSize: host.pageSize() }),
  };
}

/** Writes through a raw pointer with koffi, as native code would. */
export function koffiWrite(address: bigint, bytes: Uint8Array): void {
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  new Uint8Array(koffi.view(address, bytes.length)).set(bytes);
}
