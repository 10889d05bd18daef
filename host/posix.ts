// The POSIX part of the Linux and macOS hosts: mmap/munmap/mprotect/mlock/munlock/madvise and
// byte copies through libc, via koffi. The platform file supplies its constants and extras.
import { byteLengthOf } from '../shared/byte-length.js';
import { mapDelete, mapGet, mapSet, newMap } from '../shared/intrinsics.js';
import { RuntimeRefusedError } from './runtime-refusal.js';
import {
  addressAt,
  copyIntoMapping,
  copyOutOfMapping,
  lentView,
  mappedBytes,
  type MappedBytes,
} from './mapped-bytes.js';
import { loadKoffi, builtin } from './node-builtins.js';
import { limitCalls, limitNumber } from './posix-limits.js';
import { Advice, MAP_EXPLICIT_HUGE, Protection, type Host, type HostOperation, type MemlockStatus } from './types.js';

// Captured at load: the addresses made with them reach mmap, munmap and the alignment trim.
const NativeBigInt = BigInt;
const NativeNumber = Number;

/** The numbers that differ between POSIX systems. */
export interface PosixConstants {
  libc: string;
  MAP_PRIVATE: number;
  MAP_ANONYMOUS: number;
  MAP_FIXED: number;
  MAP_HUGETLB: number; // 0 where there is none
  MADV_DONTDUMP: number; // 0 where there is none
  MADV_DONTFORK: number; // 0 where there is none
  MADV_HUGEPAGE: number; // 0 where there is none
  RLIMIT_MEMLOCK: number;
  RLIMIT_CORE: number;
  _SC_PAGESIZE: number;
}

// POSIX protection bits (equal on Linux and macOS).
const PROT_NONE = 0;
const PROT_READ = 1;
const PROT_WRITE = 2;
const PROT_EXEC = 4;

/** The native protection for each portable level. */
export const NATIVE_PROTECTION: Readonly<Record<Protection, number>> = {
  [Protection.NoAccess]: PROT_NONE,
  [Protection.ReadOnly]: PROT_READ,
  [Protection.ReadWrite]: PROT_READ | PROT_WRITE,
  [Protection.Execute]: PROT_EXEC,
  [Protection.ReadExecute]: PROT_READ | PROT_EXEC,
  [Protection.ReadWriteExecute]: PROT_READ | PROT_WRITE | PROT_EXEC,
};

const MAP_FAILED = 0xffffffffffffffffn;

export const POSIX_SYSCALLS: Readonly<Record<HostOperation, string>> = {
  map: 'mmap',
  unmap: 'munmap',
  protect: 'mprotect',
  lock: 'mlock',
  unlock: 'munlock',
  advise: 'madvise',
  fill: 'explicit_bzero',
  copyIn: 'memcpy',
  copyOut: 'memcpy',
  mapSecret: 'memfd_secret',
  decommit: 'mmap',
  randomBytes: 'getrandom',
};

/** The libc functions the POSIX host calls. */
export function bindLibc(constants: PosixConstants) {
  const koffi = loadKoffi();
  const libc = koffi.load(constants.libc);
  return {
    koffi,
    libc,
    mmap: libc.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, intptr_t offset)'),
    munmap: libc.func('int munmap(void *addr, size_t length)'),
    mprotect: libc.func('int mprotect(void *addr, size_t length, int prot)'),
    mlock: libc.func('int mlock(void *addr, size_t length)'),
    munlock: libc.func('int munlock(void *addr, size_t length)'),
    madvise: libc.func('int madvise(void *addr, size_t length, int advice)'),
    memcpy: libc.func('void *memcpy(void *dst, const void *src, size_t n)'),
    memset: libc.func('void *memset(void *dst, int byte, size_t n)'),
    // explicit_bzero: a zeroing the compiler may not remove (glibc >= 2.25, macOS has memset_s).
    zero: bindZero(libc),
    sysconf: libc.func('long sysconf(int name)'),
  };
}

function bindZero(libc: ReturnType<ReturnType<typeof loadKoffi>['load']>): (address: bigint, length: number) => void {
  try {
    const explicitBzero = libc.func('void explicit_bzero(void *dst, size_t n)');
    return (address, length) => explicitBzero(address, length);
  } catch {
    const memsetS = libc.func('int memset_s(void *dst, size_t max, int byte, size_t n)');
    return (address, length) => void memsetS(address, length, 0, length);
  }
}

export type Libc = ReturnType<typeof bindLibc>;

/** What a platform adds to the POSIX host. */
export interface PosixPlatform {
  platform: 'linux' | 'darwin';
  constants: PosixConstants;
  capabilities: Host['capabilities'];
  /** Bytes locked now; throws RuntimeRefusedError when the runtime refuses to tell. */
  lockedBytesNow(): number;
  kernelView?: Host['kernelView'];
  /** What the process can still commit (Linux: MemAvailable and memory cgroups). */
  memoryRoom?: Host['memoryRoom'];
  /** Calls that replace mmap/munmap/mprotect (macOS: mach_vm_allocate/deallocate/protect). */
  pages?: PageCalls;
  /** Calls that replace madvise for some advice (macOS: minherit for DontFork). */
  advise?: Partial<Record<Advice, (address: bigint, length: number) => number>>;
  /** The OS call behind each operation, where it is not POSIX_SYSCALLS'. */
  syscalls?: Readonly<Record<HostOperation, string>>;
  /** Fills a Uint8Array with the OS's random bytes through koffi (never a JS getter of it): 0 or an errno. */
  randomBytes: Host['randomBytes'];
  /** Maps secret memory over [address, address + length) with native `prot` (Linux memfd_secret): 0 or an errno. */
  mapSecret?: (address: bigint, length: number, prot: number) => number;
}

/** The calls that create, release and protect pages. Each returns 0 (map: the address) or an errno. */
export interface PageCalls {
  /** Maps `length` bytes anywhere with native protection `prot`: the address, or an errno. */
  map(length: number, prot: number, huge: boolean): bigint | number;
  unmap(address: bigint, length: number): number;
  protect(address: bigint, length: number, prot: number): number;
}

/** mmap, munmap and mprotect: the pages of every POSIX host unless the platform replaces them. */
function mmapPages(c: Libc, constants: PosixConstants, errno: () => number): PageCalls {
  return {
    map(length, prot, huge) {
      const flags = constants.MAP_PRIVATE | constants.MAP_ANONYMOUS | (huge ? constants.MAP_HUGETLB : 0);
      const address = c.mmap(null, length, prot, flags, -1, 0) as bigint;
      return address === MAP_FAILED ? errno() : address;
    },
    unmap: (address, length) => (c.munmap(address, length) === 0 ? 0 : errno()),
    protect: (address, length, prot) => (c.mprotect(address, length, prot) === 0 ? 0 : errno()),
  };
}

/** Builds a host from the POSIX calls plus the platform's constants and extras. */
export function createPosixHost(platform: PosixPlatform, c: Libc): Host {
  const { constants } = platform;
  const koffi = c.koffi;
  const mappings = newMap<number, MappedBytes>(); // read and written through the captured Map methods
  let nextId = 0;
  const pageSize = Number(c.sysconf(constants._SC_PAGESIZE));
  const errnoNames = errnoNameTable();

  const errno = (): number => koffi.errno() || 1; // never report success for a failed call
  const status = (result: number): number => (result === 0 ? 0 : errno());
  const pages = platform.pages ?? mmapPages(c, constants, errno);
  /** The address `offset` bytes into mapping `id` (the mapping keeps the last one: mapped-bytes.ts). */
  const at = (id: number, offset: number): bigint => addressAt(mapping(id), offset);
  function mapping(id: number): MappedBytes {
    const found = mapGet(mappings, id);
    if (!found) throw new Error(`memshield host: no mapping ${id} (core and host disagree)`);
    return found;
  }
  const ADVICE: Record<Advice, number> = {
    [Advice.DontDump]: constants.MADV_DONTDUMP,
    [Advice.DontFork]: constants.MADV_DONTFORK,
    [Advice.HugePage]: constants.MADV_HUGEPAGE,
  };

  return {
    platform: platform.platform,
    syscalls: platform.syscalls ?? POSIX_SYSCALLS,
    pageSize: () => pageSize,
    capabilities: platform.capabilities,

    map(length, alignment, protection, flags) {
      const huge = (flags & MAP_EXPLICIT_HUGE) !== 0;
      const prot = NATIVE_PROTECTION[protection];
      // Huge-page mappings come aligned to their page; others need over-mapping past the page.
      const extra = huge || alignment <= pageSize ? 0 : alignment;
      const base = pages.map(length + extra, prot, huge);
      if (typeof base === 'number') return -base;
      let address = base;
      if (extra > 0) {
        // Trim the over-mapping to the aligned window: [base, address) and the tail go back.
        const mask = NativeBigInt(alignment - 1);
        address = (base + mask) & ~mask;
        const head = NativeNumber(address - base);
        if (head > 0) pages.unmap(base, head);
        const tail = extra - head;
        if (tail > 0) pages.unmap(address + NativeBigInt(length), tail);
      }
      const id = nextId++;
      mapSet(mappings, id, mappedBytes(address, length));
      return id;
    },
    ...(platform.mapSecret && {
      mapSecret: (id: number, offset: number, length: number, protection: Protection) =>
        platform.mapSecret!(at(id, offset), length, NATIVE_PROTECTION[protection]),
    }),
    decommit(id) {
      // One call: a fresh PROT_NONE mapping replaces the old pages — bytes, lock and advice go,
      // the range stays reserved (and holds nothing) until unmap.
      const { address, length } = mapping(id);
      const flags = constants.MAP_PRIVATE | constants.MAP_ANONYMOUS | constants.MAP_FIXED;
      return (c.mmap(address, length, PROT_NONE, flags, -1, 0) as bigint) === MAP_FAILED ? errno() : 0;
    },
    unmap(id) {
      const { address, length } = mapping(id);
      const result = pages.unmap(address, length);
      if (result === 0) mapDelete(mappings, id);
      return result;
    },
    protect: (id, offset, length, protection) => pages.protect(at(id, offset), length, NATIVE_PROTECTION[protection]),
    lock: (id, offset, length) => status(c.mlock(at(id, offset), length)),
    unlock: (id, offset, length) => status(c.munlock(at(id, offset), length)),
    advise(id, offset, length, advice) {
      const replaced = platform.advise?.[advice];
      if (replaced) return replaced(at(id, offset), length);
      const native = ADVICE[advice];
      if (!native) return errnoNames.code('EINVAL');
      return status(c.madvise(at(id, offset), length, native));
    },
    copyIn(id, offset, source) {
      const target = mapping(id);
      if (!copyIntoMapping(koffi, target, offset, source))
        c.memcpy(addressAt(target, offset), source, byteLengthOf(source));
      return 0;
    },
    copyOut(id, offset, target) {
      const source = mapping(id);
      if (!copyOutOfMapping(koffi, source, offset, target))
        c.memcpy(target, addressAt(source, offset), byteLengthOf(target));
      return 0;
    },
    fill(id, offset, length, byte) {
      if (byte === 0) c.zero(at(id, offset), length);
      else c.memset(at(id, offset), byte, length);
      return 0;
    },
    view: (id, offset, length) => lentView(koffi, mapping(id), offset, length),
    randomBytes: platform.randomBytes,
    address: (id) => mapping(id).address,
    errorName: (error) => errnoNames.name(error),
    memlockStatus(): MemlockStatus | undefined {
      const limit = limitCalls(constants.libc).read(constants.RLIMIT_MEMLOCK);
      if (typeof limit === 'number') return undefined; // the message then leaves the numbers out
      const soft = limitNumber(limit[0]);
      const hard = limitNumber(limit[1]);
      try {
        return { soft, hard, lockedBytes: platform.lockedBytesNow() };
      } catch (error) {
        // Not a number we can trust (Deno without --allow-all): say it is unknown, and why.
        if (error instanceof RuntimeRefusedError) return { soft, hard, unknownBecause: error.message };
        throw error;
      }
    },
    kernelView: platform.kernelView,
    memoryRoom: platform.memoryRoom,
  };
}

/** errno names from Node's own table (os.constants.errno). */
export function errnoNameTable() {
  const table = builtin('node:os').constants.errno as Record<string, number>;
  const byNumber = new Map<number, string>();
  for (const [name, number] of Object.entries(table)) if (!byNumber.has(number)) byNumber.set(number, name);
  return {
    name: (error: number) => byNumber.get(error) ?? `errno ${error}`,
    code: (name: string) => table[name] ?? 22,
  };
}
