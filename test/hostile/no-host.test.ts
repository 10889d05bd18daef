// No public path leads to the host: it copies and fills without bounds checks (host.fill(0, 0,
// 2**40, 1) would fault, host.view on a NoAccess secret after host.protect would read it), so a
// PlatformMemory — the native one or one built over a host the user made — never hands it out.
// The simulated host's trace() and capabilities() stay reachable through the object the user made.
import { describe, expect, it } from 'vitest';
import { AllocationType, MemoryProtectionLevel, PlatformMemory, createPlatformMemory } from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';
import { nativeHost } from '../../src/default-memory.js';

/** True if `target` is reachable from `root` through own properties (getters called) and prototypes. */
function reaches(root: unknown, target: unknown, depth = 4, seen = new Set<unknown>()): boolean {
  if (root === target) return true;
  if (depth === 0 || (typeof root !== 'object' && typeof root !== 'function') || root === null || seen.has(root))
    return false;
  seen.add(root);
  for (const key of Reflect.ownKeys(root)) {
    let value: unknown;
    try {
      value = Reflect.get(root, key);
    } catch {
      continue;
    }
    if (reaches(value, target, depth - 1, seen)) return true;
  }
  return reaches(Object.getPrototypeOf(root), target, depth - 1, seen);
}

describe('a PlatformMemory does not hand out its host', () => {
  it('control: the search finds a host one level down, or in a getter', () => {
    const host = createSimulatedHost();
    expect(reaches({ memory: { host } }, host)).toBe(true);
    expect(
      reaches(
        {
          get host() {
            return host;
          },
        },
        host,
      ),
    ).toBe(true);
  });

  it('createPlatformMemory({ host }) returns an API with no path to that host', () => {
    const host = createSimulatedHost();
    const memory = createPlatformMemory({ host });
    expect('host' in memory).toBe(false);
    expect(reaches(memory, host)).toBe(false);
    const region = memory.allocate(64, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    expect(reaches(region, host)).toBe(false);
    expect(reaches(memory.inspect(region), host)).toBe(false);
    memory.free(region);
    // The user's own host object still shows what the memory did.
    expect(host.trace().map((entry) => entry.op)).toContain('map');
    expect(host.capabilities().lock).toBe(true);
  });

  it('the native PlatformMemory has no path to the native host', () => {
    expect('host' in PlatformMemory).toBe(false);
    expect(reaches(PlatformMemory, nativeHost())).toBe(false);
    const region = PlatformMemory.allocate(64, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    expect(reaches(region, nativeHost())).toBe(false);
    expect(reaches(PlatformMemory.inspect(region), nativeHost())).toBe(false);
    PlatformMemory.free(region);
  });
});
