// The Windows host: VirtualAlloc/VirtualFree/VirtualProtect/VirtualLock/VirtualUnlock through
// koffi over kernel32, GetLastError for every failure, VirtualQuery (win32-query.ts) for
// `inspect`. What Windows lacks is reported, never faked:
//  - no core-dump exclusion (MADV_DONTDUMP) and no fork(), so nothing to keep from children:
//    capabilities dontDump and dontFork are false;
//  - large pages only with SeLockMemoryPrivilege (win32-large-pages.ts). Large pages are always
//    read/write and resident: mapping them with another protection or protecting them later is
//    refused with ERROR_NOT_SUPPORTED, and locking them is a no-op (they cannot be paged out).
import { byteLengthOf } from '../shared/byte-length.js';
import { mapDelete, mapGet, mapSet, newMap } from '../shared/intrinsics.js';
import {
  addressAt,
  copyIntoMapping,
  copyOutOfMapping,
  lentView,
  mappedBytes,
  type MappedBytes,
} from './mapped-bytes.js';
import { MAP_EXPLICIT_HUGE, Protection, type Host, type HostCapabilities, type HostOperation } from './types.js';
import { alignedAllocator } from './win32-align.js';
import { MEM, WIN32_ERRORS, WIN32_PROTECTION, win32ErrorName } from './win32-constants.js';
import { bindKernel32, type Kernel32 } from './win32-kernel32.js';
import { enableLargePages } from './win32-large-pages.js';
import { queryRanges } from './win32-query.js';
import { bindBcryptRandom } from './win32-random.js';
import { lockGrowingWorkingSet } from './win32-working-set.js';

export const WIN32_SYSCALLS: Readonly<Record<HostOperation, string>> = {
  map: 'VirtualAlloc',
  unmap: 'VirtualFree',
  protect: 'VirtualProtect',
  lock: 'VirtualLock',
  unlock: 'VirtualUnlock',
  advise: 'advise (no such call on Windows)',
  fill: 'RtlFillMemory',
  copyIn: 'RtlMoveMemory',
  copyOut: 'RtlMoveMemory',
  mapSecret: 'memfd_secret (not on Windows)',
  decommit: 'VirtualFree',
  randomBytes: 'BCryptGenRandom',
};

const LARGE_PAGE_NOTE =
  'large pages (MEM_LARGE_PAGES): always resident, so VirtualLock ' +
  'is not needed; always read/write, so VirtualProtect is refused';

/**
 * One live allocation: what every native host keeps per mapping (its address, length, last address
 * asked for and the view copies go through: mapped-bytes.ts), and whether it is made of large pages.
 */
interface Mapping extends MappedBytes {
  readonly largePages: boolean;
  readonly notes: string[];
}

/** What GetSystemInfo says about memory. */
export function systemMemoryInfo(k: Kernel32): { pageSize: number; allocationGranularity: number } {
  const info = {} as { dwPageSize: number; dwAllocationGranularity: number };
  k.GetSystemInfo(info);
  return { pageSize: info.dwPageSize, allocationGranularity: info.dwAllocationGranularity };
}

/**
 * Creates the Windows host over `k` (kernel32 as bindKernel32 binds it; a test passes one that
 * counts its calls). Throws if koffi or kernel32 cannot be loaded.
 */
export function createWin32Host(k: Kernel32 = bindKernel32()): Host {
  const { koffi } = k;
  const { pageSize, allocationGranularity } = systemMemoryInfo(k);
  const largePages = enableLargePages(k);
  const aligned = alignedAllocator(k);
  const mappings = newMap<number, Mapping>(); // read and written through the captured Map methods
  let nextId = 0;

  const capabilities: HostCapabilities = {
    lock: true,
    dontDump: false,
    dontFork: false,
    explicitHugePages: largePages.available,
    transparentHugePages: false,
    hugePageSize: largePages.available ? largePages.minimum : pageSize,
    secretMemory: false, // no memfd_secret: Secure memory is ordinary locked pages
  };
  // never report success for a failure
  const lastError = (): number => k.GetLastError() || WIN32_ERRORS.ERROR_INVALID_PARAMETER;
  const status = (ok: number): number => (ok ? 0 : lastError());
  /** The address `offset` bytes into mapping `id` (the mapping keeps the last one: mapped-bytes.ts). */
  const at = (id: number, offset: number): bigint => addressAt(mapping(id), offset);
  function mapping(id: number): Mapping {
    const found = mapGet(mappings, id);
    if (!found) throw new Error(`memshield host: no mapping ${id} (core and host disagree)`);
    return found;
  }

  return {
    platform: 'win32',
    syscalls: WIN32_SYSCALLS,
    pageSize: () => pageSize,
    capabilities: () => capabilities,

    map(length, alignment, protection, flags) {
      const large = (flags & MAP_EXPLICIT_HUGE) !== 0;
      // large pages are always read/write
      if (large && protection !== Protection.ReadWrite) return -WIN32_ERRORS.ERROR_NOT_SUPPORTED;
      const type = MEM.RESERVE | MEM.COMMIT | (large ? MEM.LARGE_PAGES : 0);
      const native = WIN32_PROTECTION[protection];
      const naturalAlignment = large ? largePages.minimum : allocationGranularity;
      const result =
        alignment <= naturalAlignment
          ? ((k.VirtualAlloc(null, length, type, native) as bigint | null) ?? lastError())
          : aligned.allocate(length, alignment, type, native);
      if (typeof result === 'number') return -result;
      const id = nextId++;
      const notes = large ? [LARGE_PAGE_NOTE] : [];
      mapSet(mappings, id, { ...mappedBytes(result, length), largePages: large, notes });
      return id;
    },
    unmap(id) {
      const result = status(k.VirtualFree(mapping(id).address, 0, MEM.RELEASE));
      if (result === 0) mapDelete(mappings, id);
      return result;
    },
    // MEM_DECOMMIT: the pages (and their locks) go back, the reservation stays, PAGE_NOACCESS-like.
    decommit: (id) => status(k.VirtualFree(mapping(id).address, mapping(id).length, MEM.DECOMMIT)),
    protect(id, offset, length, protection) {
      if (mapping(id).largePages) return WIN32_ERRORS.ERROR_NOT_SUPPORTED; // large pages are always read/write
      return status(k.VirtualProtect(at(id, offset), length, WIN32_PROTECTION[protection], [0]));
    },
    lock(id, offset, length) {
      const target = mapping(id);
      if (target.largePages) return 0; // never paged out: nothing to lock ("included for compatibility")
      const outcome = lockGrowingWorkingSet(k, at(id, offset), length);
      if (outcome.note) target.notes.push(outcome.note);
      return outcome.error;
    },
    unlock(id, offset, length) {
      if (mapping(id).largePages) return 0;
      return status(k.VirtualUnlock(at(id, offset), length));
    },
    // no such advice on Windows: capabilities say so, the core never asks
    advise: () => WIN32_ERRORS.ERROR_NOT_SUPPORTED,
    // Through the mapping's view from its third copy on (large pages too), RtlMoveMemory before
    // that and where the runtime lends no view (mapped-bytes.ts).
    copyIn(id, offset, source) {
      const target = mapping(id);
      if (!copyIntoMapping(koffi, target, offset, source))
        k.RtlMoveMemory(addressAt(target, offset), source, byteLengthOf(source));
      return 0;
    },
    copyOut(id, offset, target) {
      const source = mapping(id);
      if (!copyOutOfMapping(koffi, source, offset, target))
        k.RtlMoveMemory(target, addressAt(source, offset), byteLengthOf(target));
      return 0;
    },
    fill(id, offset, length, byte) {
      k.RtlFillMemory(at(id, offset), length, byte);
      return 0;
    },
    view: (id, offset, length) => lentView(koffi, mapping(id), offset, length),
    randomBytes: bindBcryptRandom(koffi),
    address: (id) => mapping(id).address,
    errorName: (error) => win32ErrorName(error),
    // Windows has no RLIMIT_MEMLOCK: the working set bounds locking (notes say when it grew)
    memlockStatus: () => undefined,
    kernelView: (address, length) => queryRanges(k, address, length, pageSize),
    notes: (id) => [...(mapGet(mappings, id)?.notes ?? [])],
  };
}
