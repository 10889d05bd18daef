// Every macOS number and C signature the darwin host uses, in one table, so that one test
// (test/darwin/darwin-constants.test.ts) can hold them against the SDK headers they come from.
// This file cannot be checked against a running Mac here; the macOS CI job runs the host itself.
import type { PosixConstants } from './posix.js';

/** The POSIX numbers on macOS (sys/mman.h, sys/resource.h, unistd.h). macOS has no MAP_HUGETLB,
 * no MADV_DONTDUMP and no MADV_DONTFORK: 0 means "none" (DontFork is done with minherit). */
export const DARWIN_CONSTANTS: PosixConstants = {
  libc: '/usr/lib/libSystem.B.dylib',
  MAP_PRIVATE: 0x0002,
  MAP_ANONYMOUS: 0x1000,
  MAP_FIXED: 0x0010,
  MAP_HUGETLB: 0,
  MADV_DONTDUMP: 0,
  MADV_DONTFORK: 0,
  MADV_HUGEPAGE: 0,
  RLIMIT_MEMLOCK: 6,
  RLIMIT_CORE: 4,
  _SC_PAGESIZE: 29,
};

/** Mach and BSD numbers beyond the POSIX table. */
export const DARWIN_MACH = {
  /** mach/vm_prot.h */
  VM_PROT_NONE: 0x00,
  VM_PROT_READ: 0x01,
  VM_PROT_WRITE: 0x02,
  VM_PROT_EXECUTE: 0x04,
  /** mach/vm_statistics.h: let the kernel choose the address. */
  VM_FLAGS_ANYWHERE: 0x00000001,
  /** mach/vm_inherit.h: the range is absent from fork() children. */
  VM_INHERIT_NONE: 2,
  /** mach/kern_return.h */
  KERN_SUCCESS: 0,
  KERN_INVALID_ADDRESS: 1,
  KERN_PROTECTION_FAILURE: 2,
  KERN_NO_SPACE: 3,
  KERN_INVALID_ARGUMENT: 4,
  KERN_FAILURE: 5,
  KERN_RESOURCE_SHORTAGE: 6,
  /** sys/resource.h: proc_pid_rusage flavor; struct rusage_info_v2 is 160 bytes, its
   * ri_wired_size (the process's wired, i.e. locked, bytes) at offset 56 after ri_uuid[16] and
   * five uint64 fields. */
  RUSAGE_INFO_V2: 2,
  RUSAGE_INFO_V2_SIZE: 160,
  RI_WIRED_SIZE_OFFSET: 56,
} as const;

/** The errno values the darwin host returns itself (sys/errno.h; EAGAIN is 35 on macOS, not 11). */
export const DARWIN_ERRNO = {
  EPERM: 1,
  ENOMEM: 12,
  EACCES: 13,
  EINVAL: 22,
  EAGAIN: 35,
  ENOTSUP: 45,
} as const;

/** The C signatures bound through koffi (mach/mach_vm.h, sys/mman.h, mach/mach_init.h). */
export const DARWIN_SIGNATURES = {
  mach_vm_allocate: 'int mach_vm_allocate(uint32_t target, _Inout_ uint64_t *address, uint64_t size, int flags)',
  mach_vm_deallocate: 'int mach_vm_deallocate(uint32_t target, uint64_t address, uint64_t size)',
  mach_vm_protect:
    'int mach_vm_protect(uint32_t target, uint64_t address, uint64_t size, int set_maximum, int new_protection)',
  minherit: 'int minherit(void *address, size_t length, int inherit)',
  getpid: 'int getpid()',
  proc_pid_rusage: 'int proc_pid_rusage(int pid, int flavor, void *buffer)',
  /** A global `mach_port_t` (uint32), read with koffi.decode: mach_task_self() is a macro over it. */
  mach_task_self_: 'uint32_t',
} as const;

/**
 * kern_return_t → errno, as xnu's own BSD layer translates it (bsd/kern/sysv_shm.c shmat, and
 * mmap/mprotect in bsd/kern/kern_mman.c): no space or a bad address is ENOMEM, a protection
 * failure EACCES, anything else EINVAL. KERN_RESOURCE_SHORTAGE (no memory) is ENOMEM too.
 */
export function errnoOfKernReturn(result: number): number {
  switch (result) {
    case DARWIN_MACH.KERN_SUCCESS:
      return 0;
    case DARWIN_MACH.KERN_INVALID_ADDRESS:
    case DARWIN_MACH.KERN_NO_SPACE:
    case DARWIN_MACH.KERN_RESOURCE_SHORTAGE:
      return DARWIN_ERRNO.ENOMEM;
    case DARWIN_MACH.KERN_PROTECTION_FAILURE:
      return DARWIN_ERRNO.EACCES;
    default:
      return DARWIN_ERRNO.EINVAL;
  }
}
