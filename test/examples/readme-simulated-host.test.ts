import { createPlatformMemory, MemoryProtectionError } from 'memshield';
import { createSimulatedHost } from 'memshield/testing';
import { expect, it } from 'vitest';

it('reports a lock failure instead of keeping the key unprotected', () => {
  const host = createSimulatedHost({ seed: 42, faults: [{ op: 'lock', nth: 1, errno: 'EPERM' }] });
  const mem = createPlatformMemory({ host });
  expect(() => mem.allocate(32, 8, 'ReadWrite', 'Secure')).toThrow(MemoryProtectionError);
  expect(host.usage().mappings).toBe(0); // nothing was left mapped
});
