// Secret memory on Linux: memfd_secret(2) (5.14+, on by default since 6.5). Its pages are taken
// out of the kernel's direct map, locked by the kernel (counted against RLIMIT_MEMLOCK), left
// out of core dumps, and refused to /proc/pid/mem, ptrace and every other kernel-side reader.
// The mapping is MAP_SHARED (of an anonymous file), so it must still be kept from fork()
// children with MADV_DONTFORK: the core advises it like any Secure region.
import { loadKoffi } from './node-builtins.js';

/** memfd_secret has this number on every architecture (asm-generic/unistd.h). */
export const SYS_MEMFD_SECRET = 447;
// fcntl.h, mman.h.
const O_CLOEXEC = 0o2000000;
const MAP_SHARED = 0x01;
const MAP_FIXED = 0x10;
const MAP_FAILED = 0xffffffffffffffffn;

/** The calls secret memory needs, and what the kernel said when asked for a descriptor. */
export interface SecretMemoryCalls {
  /** memfd_secret gave a descriptor (closed again) when the host was made. */
  available: boolean;
  /** The errno of that probe when it failed (ENOSYS: no such system call, or off at boot). */
  probeErrno: number;
  /** Places secret memory over [address, address + length): 0 or an errno. */
  map(address: bigint, length: number, prot: number): number;
}

/** Binds the calls and probes once: one memfd_secret and one close. */
export function bindSecretMemory(libcName: string): SecretMemoryCalls {
  const koffi = loadKoffi();
  const libc = koffi.load(libcName);
  const syscall = libc.func('long syscall(long number, ...)');
  const ftruncate = libc.func('int ftruncate(int fd, intptr_t length)');
  const mmap = libc.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, intptr_t offset)');
  const close = libc.func('int close(int fd)');
  const errno = (): number => koffi.errno() || 1; // never report success for a failed call
  // O_CLOEXEC: a child exec'd meanwhile by another thread does not inherit the descriptor.
  const open = (): number => Number(syscall(SYS_MEMFD_SECRET, 'unsigned int', O_CLOEXEC));

  const probe = open();
  const probeErrno = probe < 0 ? errno() : 0;
  if (probe >= 0) close(probe);

  return {
    available: probe >= 0,
    probeErrno,
    map(address, length, prot) {
      const fd = open();
      if (fd < 0) return errno();
      // Size the file, map it over the range (MAP_FIXED replaces the pages there), drop the
      // descriptor: the mapping keeps the memory alive until munmap.
      let error = ftruncate(fd, length) === 0 ? 0 : errno();
      if (!error && (mmap(address, length, prot, MAP_SHARED | MAP_FIXED, fd, 0) as bigint) === MAP_FAILED)
        error = errno();
      close(fd);
      return error;
    },
  };
}
