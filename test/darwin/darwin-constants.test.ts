// The darwin host's one table of numbers and signatures (host/darwin-constants.ts), held
// against values copied by hand from the macOS SDK and xnu headers. Pure: runs on every
// platform, so a typo is caught here even though the host itself runs only in the macOS CI job.
//
// Copied from (repository @ commit, path):
//   apple-oss-distributions/xnu @ 8d741a5de7ff4191bf97d57b9f54c2f6d4a15585  bsd/sys/mman.h
//   apple-oss-distributions/xnu @ 1031c584a5e37aff177559b9f69dbd3c8c3fd30a  osfmk/mach/vm_prot.h
//   apple-oss-distributions/xnu @ 1031c584a5e37aff177559b9f69dbd3c8c3fd30a  osfmk/mach/vm_statistics.h
//   apple-oss-distributions/xnu @ 1031c584a5e37aff177559b9f69dbd3c8c3fd30a  bsd/sys/resource.h
//   apple-oss-distributions/xnu @ 94d3b452840153a99b38a3a9659680b2a006908e  bsd/sys/errno.h
//   apple/darwin-xnu            @ 03489ce2d43b52365417fc58e9329fe27aa3a178  osfmk/mach/vm_inherit.h
//   apple/darwin-xnu            @ 03489ce2d43b52365417fc58e9329fe27aa3a178  osfmk/mach/kern_return.h
//   _SC_PAGESIZE lives in Libc's unistd.h, not in xnu: 29, as rust-lang/libc's
//   src/unix/bsd/apple/mod.rs and darlinghq/darling's src/libSystem/libc/sysconf.h copy it.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  DARWIN_CONSTANTS,
  DARWIN_ERRNO,
  DARWIN_MACH,
  DARWIN_SIGNATURES,
  errnoOfKernReturn,
} from '../../host/darwin-constants.js';
import { NATIVE_PROTECTION } from '../../host/posix.js';
import { Protection } from '../../host/types.js';

const HEADERS = {
  'sys/mman.h': {
    PROT_NONE: 0x00,
    PROT_READ: 0x01,
    PROT_WRITE: 0x02,
    PROT_EXEC: 0x04,
    MAP_PRIVATE: 0x0002,
    MAP_FIXED: 0x0010,
    MAP_ANON: 0x1000,
  },
  'mach/vm_prot.h': { VM_PROT_NONE: 0x00, VM_PROT_READ: 0x01, VM_PROT_WRITE: 0x02, VM_PROT_EXECUTE: 0x04 },
  'mach/vm_statistics.h': { VM_FLAGS_ANYWHERE: 0x00000001 },
  'mach/vm_inherit.h': { VM_INHERIT_SHARE: 0, VM_INHERIT_COPY: 1, VM_INHERIT_NONE: 2 },
  'mach/kern_return.h': {
    KERN_SUCCESS: 0,
    KERN_INVALID_ADDRESS: 1,
    KERN_PROTECTION_FAILURE: 2,
    KERN_NO_SPACE: 3,
    KERN_INVALID_ARGUMENT: 4,
    KERN_FAILURE: 5,
    KERN_RESOURCE_SHORTAGE: 6,
  },
  'sys/resource.h': { RLIMIT_CORE: 4, RLIMIT_MEMLOCK: 6, RUSAGE_INFO_V2: 2 },
  'sys/errno.h': { EPERM: 1, ENOMEM: 12, EACCES: 13, EINVAL: 22, EAGAIN: 35, ENOTSUP: 45 },
  'unistd.h': { _SC_PAGESIZE: 29 },
} as const;

describe('the darwin constant table, against the SDK headers', () => {
  it('has the mman.h, resource.h and unistd.h numbers, and no MAP_HUGETLB, MADV_DONTDUMP or MADV_DONTFORK', () => {
    expect(DARWIN_CONSTANTS).toEqual({
      libc: '/usr/lib/libSystem.B.dylib',
      MAP_PRIVATE: HEADERS['sys/mman.h'].MAP_PRIVATE,
      MAP_ANONYMOUS: HEADERS['sys/mman.h'].MAP_ANON,
      MAP_FIXED: HEADERS['sys/mman.h'].MAP_FIXED,
      MAP_HUGETLB: 0, // mman.h defines none
      MADV_DONTDUMP: 0, // mman.h's advice ends at MADV_ZERO (11): there is no dump exclusion
      MADV_DONTFORK: 0, // done with minherit(VM_INHERIT_NONE) instead
      MADV_HUGEPAGE: 0,
      RLIMIT_MEMLOCK: HEADERS['sys/resource.h'].RLIMIT_MEMLOCK,
      RLIMIT_CORE: HEADERS['sys/resource.h'].RLIMIT_CORE,
      _SC_PAGESIZE: HEADERS['unistd.h']._SC_PAGESIZE,
    });
  });

  it('has the Mach numbers of vm_prot.h, vm_statistics.h, vm_inherit.h and kern_return.h', () => {
    const { VM_PROT_NONE, VM_PROT_READ, VM_PROT_WRITE, VM_PROT_EXECUTE } = HEADERS['mach/vm_prot.h'];
    expect(DARWIN_MACH).toMatchObject({ VM_PROT_NONE, VM_PROT_READ, VM_PROT_WRITE, VM_PROT_EXECUTE });
    expect(DARWIN_MACH.VM_FLAGS_ANYWHERE).toBe(HEADERS['mach/vm_statistics.h'].VM_FLAGS_ANYWHERE);
    expect(DARWIN_MACH.VM_INHERIT_NONE).toBe(HEADERS['mach/vm_inherit.h'].VM_INHERIT_NONE);
    expect(DARWIN_MACH).toMatchObject(HEADERS['mach/kern_return.h']);
    expect(DARWIN_MACH).toMatchObject({ RUSAGE_INFO_V2: HEADERS['sys/resource.h'].RUSAGE_INFO_V2 });
    expect(DARWIN_ERRNO).toEqual(HEADERS['sys/errno.h']);
  });

  it('places ri_wired_size where struct rusage_info_v2 has it: after uuid[16] and five uint64, in 160 bytes', () => {
    expect(DARWIN_MACH.RI_WIRED_SIZE_OFFSET).toBe(16 + 5 * 8);
    expect(DARWIN_MACH.RUSAGE_INFO_V2_SIZE).toBe(16 + 18 * 8);
  });

  it('passes mach_vm_protect the POSIX protection numbers, which equal VM_PROT_* bit for bit', () => {
    const mman = HEADERS['sys/mman.h'];
    const vm = HEADERS['mach/vm_prot.h'];
    expect([mman.PROT_NONE, mman.PROT_READ, mman.PROT_WRITE, mman.PROT_EXEC]).toEqual([
      vm.VM_PROT_NONE,
      vm.VM_PROT_READ,
      vm.VM_PROT_WRITE,
      vm.VM_PROT_EXECUTE,
    ]);
    expect(NATIVE_PROTECTION).toEqual({
      [Protection.NoAccess]: vm.VM_PROT_NONE,
      [Protection.ReadOnly]: vm.VM_PROT_READ,
      [Protection.ReadWrite]: vm.VM_PROT_READ | vm.VM_PROT_WRITE,
      [Protection.Execute]: vm.VM_PROT_EXECUTE,
      [Protection.ReadExecute]: vm.VM_PROT_READ | vm.VM_PROT_EXECUTE,
      [Protection.ReadWriteExecute]: vm.VM_PROT_READ | vm.VM_PROT_WRITE | vm.VM_PROT_EXECUTE,
    });
  });

  it("turns kern_return_t into errno as xnu's BSD layer does", () => {
    const k = HEADERS['mach/kern_return.h'];
    const e = HEADERS['sys/errno.h'];
    const table: [number, number][] = [
      [k.KERN_SUCCESS, 0],
      [k.KERN_INVALID_ADDRESS, e.ENOMEM],
      [k.KERN_NO_SPACE, e.ENOMEM],
      [k.KERN_RESOURCE_SHORTAGE, e.ENOMEM],
      [k.KERN_PROTECTION_FAILURE, e.EACCES],
      [k.KERN_INVALID_ARGUMENT, e.EINVAL],
      [k.KERN_FAILURE, e.EINVAL],
      [46 /* KERN_NOT_SUPPORTED */, e.EINVAL],
    ];
    for (const [result, errno] of table) expect(errnoOfKernReturn(result), `kern_return_t ${result}`).toBe(errno);
  });

  it('binds signatures koffi parses, with the argument sizes of mach/mach_vm.h and sys/mman.h', () => {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    // vm_map_t is a mach_port_t (4 bytes), mach_vm_address_t and mach_vm_size_t are 8, boolean_t and vm_prot_t 4.
    const expected: Record<string, number[]> = {
      mach_vm_allocate: [4, 8, 8, 4],
      mach_vm_deallocate: [4, 8, 8],
      mach_vm_protect: [4, 8, 8, 4, 4],
      minherit: [8, 8, 4],
      getpid: [],
      proc_pid_rusage: [4, 4, 8],
    };
    for (const [name, sizes] of Object.entries(expected)) {
      const signature = DARWIN_SIGNATURES[name as keyof typeof DARWIN_SIGNATURES];
      const proto = (
        koffi.type(koffi.proto(signature)) as unknown as {
          proto: { name: string; result: { size: number }; arguments: { type: { size: number } }[] };
        }
      ).proto;
      expect(proto.name).toBe(name);
      expect(proto.result.size, `${name} returns a 4-byte int (kern_return_t)`).toBe(4);
      expect(
        proto.arguments.map((argument) => argument.type.size),
        name,
      ).toEqual(sizes);
    }
    expect(DARWIN_SIGNATURES.mach_task_self_).toBe('uint32_t'); // mach_port_t
  });
});
