// The Linux host: the POSIX calls with Linux's constants, plus what only Linux offers —
// MADV_DONTDUMP/MADV_DONTFORK, MAP_HUGETLB, transparent huge pages and /proc/self/smaps.
import { readKernelText } from './runtime-refusal.js';
import { bindLibc, createPosixHost, type PosixConstants } from './posix.js';
import { bindGetrandom } from './posix-random.js';
import { bindSecretMemory, type SecretMemoryCalls } from './linux-secret-memory.js';
import { procField, readKernelFile } from './linux-files.js';
import { linuxMemoryRoom } from './linux-memory-room.js';
import { kernelRangesOf } from './smaps.js';
import type { Host, HostCapabilities } from './types.js';

/** Linux x86-64/arm64 values (asm-generic/mman-common.h, mman.h, resource.h, unistd.h). */
export const LINUX_CONSTANTS: PosixConstants = {
  libc: 'libc.so.6',
  MAP_PRIVATE: 0x02,
  MAP_ANONYMOUS: 0x20,
  MAP_FIXED: 0x10,
  MAP_HUGETLB: 0x40000,
  MADV_DONTDUMP: 16,
  MADV_DONTFORK: 10,
  MADV_HUGEPAGE: 14,
  RLIMIT_MEMLOCK: 8,
  RLIMIT_CORE: 4,
  _SC_PAGESIZE: 30,
};

export { procField, readKernelFile };

/** The THP mode: the bracketed word of /sys/kernel/mm/transparent_hugepage/enabled. */
export function transparentHugePageMode(): string | undefined {
  const text = readKernelFile('/sys/kernel/mm/transparent_hugepage/enabled');
  return text ? /\[(\w+)\]/.exec(text)?.[1] : undefined;
}

function linuxCapabilities(secret: SecretMemoryCalls): HostCapabilities {
  const meminfo = readKernelFile('/proc/meminfo');
  const thp = transparentHugePageMode();
  return {
    lock: true,
    dontDump: true,
    dontFork: true,
    explicitHugePages: (procField(meminfo, 'HugePages_Free') ?? 0) > 0,
    transparentHugePages: thp === 'always' || thp === 'madvise',
    hugePageSize: procField(meminfo, 'Hugepagesize') ?? 2 * 1024 * 1024,
    secretMemory: secret.available,
  };
}

/** Creates the Linux host. Throws if koffi or libc cannot be loaded. */
export function createLinuxHost(): Host {
  const secret = bindSecretMemory(LINUX_CONSTANTS.libc);
  const capabilities = linuxCapabilities(secret);
  const c = bindLibc(LINUX_CONSTANTS);
  return createPosixHost(
    {
      platform: 'linux',
      constants: LINUX_CONSTANTS,
      capabilities: () => capabilities,
      lockedBytesNow: () => procField(readKernelText('/proc/self/status'), 'VmLck') ?? 0,
      kernelView: (address, length) => kernelRangesOf(address, length),
      memoryRoom: linuxMemoryRoom,
      randomBytes: bindGetrandom(c),
      ...(secret.available && { mapSecret: secret.map }),
    },
    c,
  );
}
