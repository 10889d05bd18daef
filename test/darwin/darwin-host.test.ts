// The macOS host against macOS's own account (mach_vm_region), then the contract suite
// (test/contract) on it. Runs only on macOS: the macos-latest CI job. It cannot run on the Linux
// machines this project is built on.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const onMac = process.platform === 'darwin';
const VM_PROT = { NONE: 0, READ: 1, READ_WRITE: 3 } as const;
const VM_INHERIT_NONE = 2;

describe.skipIf(!onMac)('the darwin host on macOS', async () => {
  if (!onMac) return;
  const { createDarwinHost } = await import('../../host/darwin.js');
  const { AllocationType, MemoryProtectionLevel, createPlatformMemory } = await import('../../src/index.js');
  const { machRegion, rawBytes } = await import('./mach-region.js');
  const { CONTRACT_CASES } = await import('../contract/cases.js');
  const { darwinDifferences } = await import('../contract/platform-differences.js');
  const { koffiWrite } = await import('../contract/raw-write.js');
  const host = createDarwinHost();
  const memory = createPlatformMemory({ host });
  // Children run outside vitest: they import the compiled build (`npm test` builds dist first).
  const hostUrl = new URL('../../dist/host/darwin.js', import.meta.url).href;
  const memoryUrl = new URL('../../dist/src/platform-memory.js', import.meta.url).href;

  it('takes the page size from sysconf: 16 KiB on Apple silicon, 4 KiB on Intel', () => {
    expect(host.pageSize()).toBe(process.arch === 'arm64' ? 16384 : 4096);
  });

  it('reports what macOS lacks: no MADV_DONTDUMP, no huge pages; fork exclusion through minherit', () => {
    expect(host.capabilities()).toMatchObject({
      lock: true,
      dontDump: false,
      dontFork: true,
      explicitHugePages: false,
      transparentHugePages: false,
    });
  });

  it('a Secure region is wired read-write data between VM_PROT_NONE guards, all of it VM_INHERIT_NONE', () => {
    const region = memory.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    try {
      const info = memory.inspect(region);
      expect(info).toMatchObject({ locked: true, dumpExcluded: false, forkExcluded: true });
      for (const guard of info.guards) expect(machRegion(guard.address).protection).toBe(VM_PROT.NONE);
      const data = machRegion(info.dataPages.address);
      expect(data.protection).toBe(VM_PROT.READ_WRITE);
      expect(data.userWiredCount).toBeGreaterThan(0);
      for (const range of [info.guards[0], info.dataPages, info.guards[1]])
        expect(machRegion(range.address).inheritance).toBe(VM_INHERIT_NONE);
      // Control: a Regular region keeps the default inheritance and is not wired.
      const plain = memory.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
      const plainRegion = machRegion(memory.inspect(plain).data.address);
      memory.free(plain);
      expect(plainRegion.inheritance).not.toBe(VM_INHERIT_NONE);
      expect(plainRegion.userWiredCount).toBe(0);
    } finally {
      memory.free(region);
    }
  });

  it('counts the wired bytes a lock adds (proc_pid_rusage ri_wired_size) in memlockStatus', () => {
    const before = host.memlockStatus()!.lockedBytes;
    const region = memory.allocate(1 << 20, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    try {
      expect(host.memlockStatus()!.lockedBytes - before).toBeGreaterThanOrEqual(
        memory.inspect(region).dataPages.length,
      );
    } finally {
      memory.free(region);
    }
  });

  it('mach_vm_region follows each protection change, and the bytes survive them', () => {
    const region = memory.allocate(100, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Regular);
    try {
      const address = memory.inspect(region).data.address;
      memory.write(region, new Uint8Array(100).fill(0x42));
      for (const [level, protection] of [
        ['NoAccess', VM_PROT.NONE],
        ['ReadOnly', VM_PROT.READ],
        ['ReadWrite', VM_PROT.READ_WRITE],
      ] as const) {
        memory.protect(region, MemoryProtectionLevel[level]);
        expect(machRegion(address).protection).toBe(protection);
      }
      expect(memory.read(region)).toEqual(new Uint8Array(100).fill(0x42));
    } finally {
      memory.free(region);
    }
  });

  it('secureClear leaves zeros in the pages themselves', () => {
    const region = memory.allocate(64, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    try {
      const { data } = memory.inspect(region);
      memory.write(region, new Uint8Array(64).fill(0xaa));
      expect(rawBytes(data.address, 64).every((byte) => byte === 0xaa)).toBe(true); // control
      memory.secureClear(region);
      expect(rawBytes(data.address, 64).every((byte) => byte === 0)).toBe(true);
    } finally {
      memory.free(region);
    }
  });

  it('a child that touches a guard page dies by SIGSEGV or SIGBUS; touching its data does not', () => {
    const child = fileURLToPath(new URL('../windows/guard-child.mjs', import.meta.url));
    const run = (mode: string) =>
      spawnSync(process.execPath, [child, hostUrl, memoryUrl, mode, 'createDarwinHost'], { stdio: 'ignore' });
    expect(run('data').status).toBe(0);
    expect(['SIGSEGV', 'SIGBUS']).toContain(run('guard').signal);
  });

  const differences = darwinDifferences(host);
  for (const item of CONTRACT_CASES) {
    it(`contract: ${item.name}`, () =>
      item.run({
        platform: 'darwin',
        differences,
        createMemory: () => createPlatformMemory({ host }),
        host,
        rawWrite: koffiWrite,
      }));
  }
});
