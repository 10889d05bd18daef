// Byte access on the simulated host: what would fault on real memory throws SimulatedFaultError
// (code SIMULATED_FAULT, with the address and the page's protection) instead of killing the
// process; raw access plays native code; views are live only while the pages stay as they were.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';
import { Protection } from '../../host/types.js';
import { MemoryProtectionError, MemoryProtectionLevel, AllocationType } from '../../src/index.js';
import { SimulatedFaultError, createSimulatedHost } from '../../src/testing.js';
import { simulated } from './fixtures.js';
import { expectFreshBuild } from '../helpers/fresh-build.js';

const { ReadWrite } = MemoryProtectionLevel;

/** The SimulatedFaultError `action` throws. */
function faultOf(action: () => unknown): SimulatedFaultError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(SimulatedFaultError);
    expect(error).toBeInstanceOf(MemoryProtectionError);
    return error as SimulatedFaultError;
  }
  throw new Error('expected a simulated fault');
}

describe('simulated memory access', () => {
  it('a copy into a NoAccess page throws SIMULATED_FAULT at that page, after copying the bytes before it', () => {
    const host = createSimulatedHost();
    const id = host.map(2 * 4096, 4096, Protection.ReadWrite, 0);
    host.protect(id, 4096, 4096, Protection.NoAccess);
    const fault = faultOf(() => host.copyIn(id, 4090, new Uint8Array(10).fill(1)));
    expect(fault).toMatchObject({
      code: 'SIMULATED_FAULT',
      address: host.address(id) + 4096n,
      protection: 'NoAccess',
      access: 'write',
      name: 'SimulatedFaultError',
    });
    expect(fault.message).toMatch(/would write a NoAccess page at 0x[0-9a-f]+.*SIGSEGV/);
    expect(host.raw.read(host.address(id) + 4090n, 6)).toEqual(new Uint8Array(6).fill(1));
    expect(host.trace().at(-1)).toMatchObject({ op: 'copyIn', result: 'SIMULATED_FAULT' });
  });

  it('reads need a readable page and writes a writable one: ReadOnly refuses writes, Execute reads', () => {
    const host = createSimulatedHost();
    const id = host.map(3 * 4096, 4096, Protection.ReadOnly, 0);
    host.protect(id, 4096, 4096, Protection.Execute);
    host.protect(id, 8192, 4096, Protection.ReadWriteExecute);
    expect(host.copyOut(id, 0, new Uint8Array(8))).toBe(0);
    expect(faultOf(() => host.fill(id, 0, 8, 0))).toMatchObject({ protection: 'ReadOnly', access: 'write' });
    expect(faultOf(() => host.copyOut(id, 4096, new Uint8Array(8)))).toMatchObject({
      protection: 'Execute',
      access: 'read',
    });
    expect(host.fill(id, 8192, 8, 0xff)).toBe(0);
  });

  it('an access past the end of a mapping faults as Unmapped', () => {
    const host = createSimulatedHost();
    const id = host.map(4096, 4096, Protection.ReadWrite, 0);
    expect(faultOf(() => host.copyOut(id, 4000, new Uint8Array(200)))).toMatchObject({
      address: host.address(id) + 4096n,
      protection: 'Unmapped',
    });
    expect(faultOf(() => host.raw.read(0x1234n, 1))).toMatchObject({
      address: 0x1234n,
      protection: 'Unmapped',
      access: 'read',
    });
  });

  it('raw access by address reaches region bytes and obeys protection, like native code', () => {
    const { host, mem } = simulated();
    const region = mem.allocate(32, 8, ReadWrite, AllocationType.Secure);
    const info = mem.inspect(region);
    host.raw.write(info.data.address, new Uint8Array([1, 2, 3]));
    expect(mem.read(region, 0, 3)).toEqual(new Uint8Array([1, 2, 3]));
    mem.write(region, new Uint8Array([9]), 31);
    expect(host.raw.read(info.data.address + 31n, 1)).toEqual(new Uint8Array([9]));
    mem.protect(region, MemoryProtectionLevel.NoAccess);
    expect(faultOf(() => host.raw.read(info.data.address, 1))).toMatchObject({ protection: 'NoAccess' });
    expect(faultOf(() => host.raw.read(info.guards[0].address, 1))).toMatchObject({
      address: info.guards[0].address,
      protection: 'NoAccess',
    });
  });

  it('lends a live view over writable pages, and detaches it when the protection changes or the mapping goes', () => {
    const host = createSimulatedHost();
    const id = host.map(2 * 4096, 4096, Protection.ReadWrite, 0);
    const view = host.view(id, 100, 16)!;
    view.set([7, 7, 7]);
    const copy = new Uint8Array(3);
    host.copyOut(id, 100, copy);
    expect(copy).toEqual(new Uint8Array([7, 7, 7])); // zero-copy: the view is the memory
    host.protect(id, 0, 4096, Protection.NoAccess);
    expect(view.length).toBe(0); // where real memory would fault, the view is dead
    expect(view[0]).toBeUndefined();
    const second = host.view(id, 4096, 8)!;
    expect(second.length).toBe(8);
    host.unmap(id);
    expect(second.length).toBe(0);
  });

  it('lends a live view over read-only pages too, and ends it with the scope', () => {
    const host = createSimulatedHost();
    const id = host.map(2 * 4096, 4096, Protection.ReadWrite, 0);
    host.fill(id, 0, 4096, 5);
    host.protect(id, 0, 4096, Protection.ReadOnly);
    const view = host.view(id, 0, 4)!;
    expect(view).toEqual(new Uint8Array(4).fill(5));
    host.protect(id, 0, 4096, Protection.NoAccess);
    expect(view.length).toBe(0);
    expect(faultOf(() => host.view(id, 4000, 200))).toMatchObject({
      address: host.address(id) + 4000n,
      protection: 'NoAccess',
      access: 'read',
    });
  });

  it('undoes a write through a view of read-only pages and reports it as an uncaught fault, like a crash', async () => {
    expectFreshBuild();
    const result = await run(process.execPath, [fileURLToPath(new URL('./view-write-child.mjs', import.meta.url))]);
    expect(lastJson(result)).toEqual({ byteAfterRevoke: 5, viewLength: 0 });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(
      /SimulatedFaultError: simulated fault: a write through a lent view would write a ReadOnly page at 0x100000000001/,
    );
  });
});
