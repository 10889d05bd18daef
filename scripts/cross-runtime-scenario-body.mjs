// The deterministic scenario of scripts/cross-runtime.mjs: memshield over a simulated host with a
// fixed seed, every kind of region and operation, scripted failures and a simulated fault. Returns
// one JSON line: the trace, the canary bytes, addresses, errors and read-backs. Every runtime (Node,
// Bun, Deno, a Chromium page and Web Worker, workerd) must return the same bytes. No imports and no
// runtime globals: the caller passes memshield's exports in.

/**
 * @param {object} api - memshield's exports (main entry and memshield/testing), however this runtime loaded them
 * @param {number | bigint | string} seed - the simulated host's seed
 * @returns {string} the scenario's JSON line
 */
export function scenarioOutput(api, seed) {
  const { AllocationType, MemoryProtectionLevel, createPlatformMemory, createSimulatedHost } = api;
  const { ReadWrite, ReadOnly, NoAccess } = MemoryProtectionLevel;
  const { Regular, Secure, LargePage } = AllocationType;
  const hex = (bytes) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

  const host = createSimulatedHost({
    pageSize: 16384,
    memlockLimit: 4 * 16384,
    maxMappings: 40,
    seed: BigInt(seed),
    faults: [
      { op: 'lock', nth: 3, errno: 'EPERM' },
      { op: 'protect', when: (call) => call.protection === 'ReadExecute', errno: 'EACCES' },
    ],
  });
  const mem = createPlatformMemory({ host });
  const events = [];
  const attempt = (label, action) => {
    try {
      const value = action();
      events.push([label, 'ok', value === undefined ? null : value]);
    } catch (error) {
      events.push([
        label,
        error.code,
        error.message,
        error.errnoName ?? null,
        typeof error.address === 'bigint' ? error.address.toString(16) : null,
      ]);
    }
  };

  const secure = mem.allocate(33, 16, ReadWrite, Secure);
  const info = mem.inspect(secure);
  events.push([
    'canary',
    hex(host.raw.read(info.dataPages.address, Number(info.data.address - info.dataPages.address))),
  ]);
  events.push([
    'addresses',
    [info.mapping.address, info.data.address, ...info.guards.map((guard) => guard.address)].map((a) => a.toString(16)),
  ]);
  mem.write(
    secure,
    Uint8Array.from({ length: 33 }, (_, i) => i * 7),
  );
  attempt('read', () => hex(mem.read(secure)));
  const regular = mem.allocate(100000, 4096, ReadWrite, Regular);
  attempt('secure #2', () => mem.allocate(64, 8, ReadWrite, Secure).size);
  attempt('secure #3 (3rd lock fails)', () => mem.allocate(64, 8, ReadWrite, Secure));
  attempt('best effort', () => mem.inspect(mem.allocate(64, 8, ReadWrite, Secure, { lock: 'bestEffort' })).locked);
  attempt('over the memlock limit', () => mem.lock(regular));
  attempt('ReadExecute refused', () => mem.protect(secure, MemoryProtectionLevel.ReadExecute));
  attempt('large', () => mem.inspect(mem.allocate(5000, 8, ReadWrite, LargePage)).pageKind);
  attempt('protect NoAccess', () => mem.protect(secure, NoAccess));
  attempt('simulated fault', () => host.raw.write(info.data.address, new Uint8Array(1)));
  attempt('overflow into the guard', () => {
    mem.protect(secure, ReadWrite);
    host.raw.write(info.data.address + 33n, new Uint8Array(20000));
  });
  attempt('free with a damaged canary', () => mem.free(secure));
  attempt('read only', () => {
    mem.protect(regular, ReadOnly);
    return hex(mem.read(regular, 99990));
  });
  attempt('free', () => mem.free(regular));
  const unmapped = host.unmapped().map((record) => [record.address.toString(16), record.length, record.nonZeroBytes]);
  const random = new Uint8Array(32);
  host.randomBytes(random);

  return JSON.stringify({ trace: host.trace(), events, unmapped, usage: host.usage(), random: hex(random) });
}
