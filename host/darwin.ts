// The macOS host: the POSIX host (posix.ts: mlock/munlock, byte copies, errno names) with its
// pages made by Mach — mach_vm_allocate/mach_vm_protect/mach_vm_deallocate on the task port
// `mach_task_self_` — and DontFork done by minherit(VM_INHERIT_NONE). Page size from sysconf
// (16 KiB on Apple silicon, 4 KiB on Intel). What macOS lacks is reported, never faked:
//  - no MADV_DONTDUMP: capability dontDump is false. A caller who must keep secrets out of core
//    dumps can call hardenProcess({ coreDumps: false }), which sets RLIMIT_CORE soft 0;
//  - no explicit or transparent huge pages for anonymous memory: LargePage maps normal pages.
// Kernel return codes are translated to errno as xnu's BSD layer does (darwin-constants.ts).
import { bindGetentropy } from './posix-random.js';
import { DARWIN_CONSTANTS, DARWIN_MACH, DARWIN_SIGNATURES, errnoOfKernReturn } from './darwin-constants.js';
import { POSIX_SYSCALLS, bindLibc, createPosixHost, type Libc, type PageCalls } from './posix.js';
import { Advice, type Host, type HostCapabilities, type HostOperation } from './types.js';

export const DARWIN_SYSCALLS: Readonly<Record<HostOperation, string>> = {
  ...POSIX_SYSCALLS,
  map: 'mach_vm_allocate',
  unmap: 'mach_vm_deallocate',
  protect: 'mach_vm_protect',
  advise: 'minherit',
  fill: 'memset_s',
  mapSecret: 'memfd_secret (not on macOS)',
  decommit: 'mmap',
  randomBytes: 'getentropy',
};

/** The Mach calls and the task port they act on. */
export function bindMach(c: Libc) {
  const { koffi, libc } = c;
  return {
    task: koffi.decode(libc.symbol('mach_task_self_'), DARWIN_SIGNATURES.mach_task_self_) as number,
    allocate: libc.func(DARWIN_SIGNATURES.mach_vm_allocate),
    deallocate: libc.func(DARWIN_SIGNATURES.mach_vm_deallocate),
    protect: libc.func(DARWIN_SIGNATURES.mach_vm_protect),
    minherit: libc.func(DARWIN_SIGNATURES.minherit),
    getpid: libc.func(DARWIN_SIGNATURES.getpid),
    rusage: libc.func(DARWIN_SIGNATURES.proc_pid_rusage),
  };
}

/** The process's wired (locked) bytes: ri_wired_size of proc_pid_rusage, macOS's VmLck. */
function wiredBytes(mach: ReturnType<typeof bindMach>): number {
  const info = new Uint8Array(DARWIN_MACH.RUSAGE_INFO_V2_SIZE);
  if (mach.rusage(mach.getpid(), DARWIN_MACH.RUSAGE_INFO_V2, info) !== 0) return 0;
  return Number(new DataView(info.buffer).getBigUint64(DARWIN_MACH.RI_WIRED_SIZE_OFFSET, true));
}

/** Pages made by Mach. mach_vm_allocate always gives read/write pages: then protect them. */
function machPages(mach: ReturnType<typeof bindMach>): PageCalls {
  const deallocate = (address: bigint, length: number) =>
    errnoOfKernReturn(mach.deallocate(mach.task, address, length));
  return {
    map(length, prot) {
      const address = [0n];
      const result = mach.allocate(mach.task, address, length, DARWIN_MACH.VM_FLAGS_ANYWHERE);
      if (result !== DARWIN_MACH.KERN_SUCCESS) return errnoOfKernReturn(result);
      const base = BigInt(address[0]);
      const protectError = errnoOfKernReturn(mach.protect(mach.task, base, length, 0, prot));
      if (protectError) {
        deallocate(base, length); // undo: never hand out pages with the wrong protection
        return protectError;
      }
      return base;
    },
    unmap: deallocate,
    protect: (address, length, prot) => errnoOfKernReturn(mach.protect(mach.task, address, length, 0, prot)),
  };
}

function darwinCapabilities(pageSize: number): HostCapabilities {
  return {
    lock: true,
    dontDump: false,
    dontFork: true,
    explicitHugePages: false,
    transparentHugePages: false,
    hugePageSize: pageSize,
    secretMemory: false, // no memfd_secret: Secure memory is ordinary wired pages
  };
}

/** Creates the macOS host. Throws if koffi or libSystem cannot be loaded. */
export function createDarwinHost(): Host {
  const c = bindLibc(DARWIN_CONSTANTS);
  const mach = bindMach(c);
  const pageSize = Number(c.sysconf(DARWIN_CONSTANTS._SC_PAGESIZE));
  const capabilities = darwinCapabilities(pageSize);
  const host = createPosixHost(
    {
      platform: 'darwin',
      constants: DARWIN_CONSTANTS,
      capabilities: () => capabilities,
      lockedBytesNow: () => wiredBytes(mach),
      pages: machPages(mach),
      advise: {
        [Advice.DontFork]: (address, length) =>
          mach.minherit(address, length, DARWIN_MACH.VM_INHERIT_NONE) === 0
            ? 0
            : c.koffi.errno() || DARWIN_MACH.KERN_FAILURE,
      },
      syscalls: DARWIN_SYSCALLS,
      randomBytes: bindGetentropy(c),
    },
    c,
  );
  return host;
}
