// Prototype pollution and replaced built-ins change nothing memshield does. A child
// (test/fixtures/hostile-pollution.mjs) pollutes Object.prototype with a weakening value for every
// option name in memshield — before memshield loads, or after — or replaces the built-ins memshield
// could have used; then calls every entry point that takes options WITHOUT them, and reads what
// happened from the kernel (smaps permissions, VmFlags lo, the /secretmem backing). Controls: a
// plain object inherits every polluted option; the replaced built-ins answer as replaced (a
// Uint8Array(16) says its byteLength is 65536); passing ReadWriteExecute explicitly does show rwxp.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/hostile-pollution.mjs', import.meta.url));
const MODES = ['before-load', 'after-load', 'builtins'] as const;
const OPTION_NAMES = [
  'secretMemory',
  'wipeSource',
  'lock',
  'protection',
  'type',
  'host',
  'arenaSize',
  'maxSize',
  'exit',
  'signals',
  'coreDumps',
  'debuggers',
  'pageSize',
  'memlockLimit',
  'maxMappings',
  'availableMemory',
  'seed',
  'faults',
  'capabilities',
  'nth',
  'op',
  'errno',
  'dontDump',
  'dontFork',
  'hugePageSize',
];

interface KernelEntry {
  perms: string;
  locked: boolean;
  secretmem: boolean;
}
interface Report {
  mode: string;
  secretMemoryHere: boolean;
  control: Record<string, unknown>;
  facts: Record<string, unknown>;
}

const reports = new Map<string, Report>();
beforeAll(async () => {
  await Promise.all(
    MODES.map(async (mode) => {
      const child = await run(process.execPath, [FIXTURE, mode]);
      expect(child.status, child.stderr).toBe(0);
      reports.set(mode, lastJson<Report>(child));
    }),
  );
}, 120_000);

describe.each(MODES)('with %s pollution', (mode) => {
  it('control: the pollution took effect', () => {
    const { control } = reports.get(mode)!;
    if (mode === 'builtins') {
      expect(control).toMatchObject({
        handlesSeenFromMemshield: 0,
        handlesSeenFromAPlainWeakMap: 1,
        includesReplaced: true,
        isIntegerReplaced: true,
        lyingLength: 65536,
        callReplaced: 'Error: Function.prototype.call was used',
      });
    } else {
      expect(control.inherited).toEqual(OPTION_NAMES);
    }
  });

  it('SecureBuffer.from and alloc still use locked secret memory (where there is some) and wipe the source', () => {
    const { facts, secretMemoryHere } = reports.get(mode)!;
    const backing = secretMemoryHere ? 'secret-memory' : 'anonymous';
    expect(facts['SecureBuffer.from(src)']).toMatchObject({ backing, locked: true, sourceWiped: true });
    for (const entry of facts['SecureBuffer.from(src)'].kernel as KernelEntry[])
      expect(entry).toMatchObject({ locked: true, secretmem: secretMemoryHere });
    expect(facts['SecureBuffer.alloc(32)']).toEqual({ backing, locked: true });
  });

  it(
    'new SecureHeap() keeps its defaults: lock required, ' + 'secret memory preferred, 256 KiB arenas, no size limit',
    () => {
      const { facts, secretMemoryHere } = reports.get(mode)!;
      expect(facts['new SecureHeap(), alloc, from']).toMatchObject({
        lock: 'required',
        secretMemory: 'preferred',
        arenaSize: 256 * 1024,
        sourceWiped: true,
        grows: 'none',
      });
      for (const entry of facts['new SecureHeap(), alloc, from'].kernel as KernelEntry[])
        expect(entry).toMatchObject({ locked: true, secretmem: secretMemoryHere });
    },
  );

  it('allocateWithGuardPages maps rw-p data, never rwxp (control: asked for, rwxp shows in smaps)', () => {
    const { facts } = reports.get(mode)!;
    expect(facts['control: allocateWithGuardPages with protection ReadWriteExecute given']).toEqual([
      { perms: 'rwxp', locked: false, secretmem: false },
    ]);
    expect(facts['allocateWithGuardPages(4096, 1, 1, 8)']).toEqual({
      type: 'Regular',
      protection: 'ReadWrite',
      kernel: [{ perms: 'rw-p', locked: false, secretmem: false }],
    });
  });

  it('allocate(…, Secure) is locked (lock required), and bad sizes and levels are still refused', () => {
    const { facts } = reports.get(mode)!;
    expect(facts['allocate(32, 8, ReadWrite, Secure)']).toEqual({
      locked: true,
      backing: 'anonymous',
      kernel: [{ perms: 'rw-p', locked: true, secretmem: false }],
    });
    expect(facts['allocate with a fractional size, and with an unknown level']).toEqual([
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
    ]);
  });

  it('configureExitWipe({}) and hardenProcess({}) change nothing, and unknown keys are still refused', () => {
    const { facts } = reports.get(mode)!;
    expect(facts['configureExitWipe({})']).toEqual({ unchanged: true, unknownKey: 'INVALID_ARGUMENT' });
    expect(facts['hardenProcess({})']).toEqual({ steps: 0, unchanged: true, unknownKey: 'INVALID_ARGUMENT' });
  });

  it('createSimulatedHost keeps its defaults and its own fault rules; createPlatformMemory runs on it', () => {
    const { facts } = reports.get(mode)!;
    expect(facts['createSimulatedHost() and createPlatformMemory({ host })']).toEqual({
      pageSize: 4096,
      lock: true,
      dontDump: true,
      firstSecureAllocate: 'LOCK_FAILED',
      regular: 'none',
    });
  });

  it(
    'write and readInto copy the 16 real bytes, whatever the ' +
      'TypedArray getters say (builtins mode: they say 65536)',
    () => {
      const { facts } = reports.get(mode)!;
      expect(facts['write and readInto copy 16 real bytes whatever the TypedArray getters say']).toEqual({
        written: [-1, true],
        readInto: [0xaa, 0xaa, 0, 0],
      });
    },
  );

  it('a forged Region is refused and the genuine one still works', () => {
    const { facts } = reports.get(mode)!;
    expect(facts['a forged Region']).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
    expect(facts['the genuine region still reads']).toBe(16);
  });
});
