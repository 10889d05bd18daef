// The trace: plain data, byte-identical JSON for the same script and seed, with deterministic
// addresses and never a data byte.
import { describe, expect, it } from 'vitest';
import { AllocationType, MemoryProtectionLevel, type PlatformMemory } from '../../src/index.js';
import { simulated } from './fixtures.js';

const { ReadWrite, NoAccess } = MemoryProtectionLevel;
const SECRET = Uint8Array.from({ length: 24 }, (_, i) => 200 + i);

/** A script touching every operation, including failures; returns the trace as JSON. */
function script(seed: number, pageSize = 4096): string {
  const { host, mem } = simulated({ seed, pageSize, faults: [{ op: 'lock', nth: 2, errno: 'EAGAIN' }] });
  const run = (action: (memory: PlatformMemory) => unknown) => {
    try {
      action(mem);
    } catch {
      /* part of the script */
    }
  };
  const secure = mem.allocate(24, 8, ReadWrite, AllocationType.Secure);
  mem.write(secure, SECRET);
  mem.read(secure);
  run((memory) => memory.allocate(100, 16, ReadWrite, AllocationType.Secure)); // lock fails: undo
  const large = mem.allocate(5000, 4096, ReadWrite, AllocationType.LargePage);
  mem.protect(secure, NoAccess);
  mem.lock(large);
  mem.secureClear(secure);
  run((memory) => memory.read(secure)); // ACCESS_DENIED: no host call
  mem.free(secure);
  mem.free(large);
  const info = mem.inspect(mem.allocate(10, 1 << 16, ReadWrite, AllocationType.Regular));
  return JSON.stringify({ trace: host.trace(), address: info.data.address.toString(16) });
}

describe('the trace', () => {
  it('is byte-identical JSON for the same script and seed', () => {
    const first = script(42);
    expect(script(42)).toBe(first);
    expect(first.length).toBeGreaterThan(1000);
  });

  it('does not depend on the seed (it holds no random or data bytes), but on the page size', () => {
    expect(script(1)).toBe(script(2));
    expect(script(1, 16384)).not.toBe(script(1));
  });

  it('holds only plain data: a JSON round trip gives it back unchanged', () => {
    const { host, mem } = simulated();
    mem.allocate(24, 8, ReadWrite, AllocationType.Secure);
    const trace = host.trace();
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
    trace[0].result = 'tampered';
    expect(host.trace()[0].result).toBe('ok'); // callers get copies
  });

  it('never contains the data written, while the same search finds it in the bytes themselves', () => {
    const { host, mem } = simulated();
    const region = mem.allocate(24, 8, ReadWrite, AllocationType.Secure);
    mem.write(region, SECRET);
    const needle = [...SECRET].join(',');
    const json = JSON.stringify(host.trace());
    expect(json.includes(needle)).toBe(false);
    expect(JSON.stringify([...mem.read(region)]).includes(needle)).toBe(true); // the control
    expect(json.includes(String(SECRET[0]))).toBe(false);
  });

  it('records addresses in hex, deterministic per host, and clearTrace forgets what came before', () => {
    const { host, mem } = simulated();
    mem.allocate(24, 8, ReadWrite, AllocationType.Regular);
    expect(host.trace().find((entry) => entry.op === 'map')).toMatchObject({ address: '0x100000000000', result: 0 });
    host.clearTrace();
    expect(host.trace()).toEqual([]);
  });
});
