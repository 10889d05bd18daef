// The quarantine on the simulated host: a freed SecureBuffer's pages are decommitted (bytes, lock
// and advice gone, every page NoAccess) and its range kept until the cap pushes it out; a host
// whose decommit fails unmaps at once.
import { afterEach, describe, expect, it } from 'vitest';
import { SecureBuffer, configureQuarantine, quarantineStats } from '../../src/index.js';
import { SimulatedFaultError, createSimulatedHost } from '../../src/testing.js';

const PAGE = 4096;
const DEFAULT_CAP = 16 * 1024 * 1024;
afterEach(() => configureQuarantine({ maxBytes: DEFAULT_CAP }));

describe('the quarantine on the simulated host', () => {
  it("keeps a freed secret's range reserved and NoAccess, holding and locking nothing; a read there faults", () => {
    const host = createSimulatedHost({ seed: 8 });
    const secret = SecureBuffer.from(new Uint8Array(32).fill(7), { host });
    const { data } = secret.inspect();
    // the control: readable while open
    expect(secret.use(() => Array.from(host.raw.read(data.address, 1)))).toEqual([7]);
    secret.dispose();
    expect(host.trace().at(-1)).toMatchObject({ op: 'decommit', result: 'ok' });
    expect(host.usage()).toMatchObject({ mappings: 1, vmas: 1, lockedBytes: 0 });
    expect(host.kernelView!(data.address, 1).map((range) => `${range.permissions} ${range.flags.join(' ')}`)).toEqual([
      '---p mr mw me',
    ]); // no lo, dd, dc: nothing locked or advised
    expect(() => host.raw.read(data.address, 1)).toThrow(SimulatedFaultError);
    expect(host.unmapped().at(-1)).toMatchObject({ reserved: true, nonZeroBytes: 0 });
    expect(quarantineStats({ host })).toMatchObject({ ranges: 1, bytes: 3 * PAGE, maxBytes: DEFAULT_CAP });
  });

  it('unmaps at once when decommit fails (nothing held, nothing half done)', () => {
    const host = createSimulatedHost({ seed: 9, faults: [{ op: 'decommit', errno: 'EINVAL' }] });
    SecureBuffer.alloc(32, { host }).dispose();
    expect(
      host
        .trace()
        .slice(-2)
        .map((entry) => `${entry.op} ${entry.result}`),
    ).toEqual(['decommit EINVAL', 'unmap ok']);
    expect(host.usage().mappings).toBe(0);
    expect(quarantineStats({ host }).ranges).toBe(0);
  });

  it('holds at most the cap: the oldest ranges are unmapped first', () => {
    const host = createSimulatedHost({ seed: 10 });
    configureQuarantine({ maxBytes: 2 * 3 * PAGE });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      SecureBuffer.alloc(32, { host }).dispose();
      ids.push(host.unmapped().at(-1)!.id);
    }
    expect(host.usage().mappings).toBe(2);
    expect(
      host
        .trace()
        .filter((entry) => entry.op === 'unmap')
        .map((entry) => (entry as { id: number }).id),
    ).toEqual(ids.slice(0, 3));
    expect(quarantineStats({ host })).toMatchObject({ ranges: 2, evicted: 3, maxBytes: 6 * PAGE });
    configureQuarantine({ maxBytes: 0 }); // off: what is held goes now
    expect(host.usage().mappings).toBe(0);
  });

  it('refuses a cap that is not a whole number of bytes', () => {
    for (const maxBytes of [-1, 1.5, Number.NaN, '16' as unknown as number]) {
      expect(() => configureQuarantine({ maxBytes })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});
