// Copies in and out of a Secure region (read-write): write, read (a new array per call) and
// readInto (into the caller's array), 1 KiB and 1 MiB.
/** @typedef {import('./lib/cases.mjs').TimedCase} TimedCase */

const KIB = 1024;
const MIB = 1024 * 1024;

/** A Secure region of `size` bytes holding a pattern, the source/target arrays, a sodium buffer. */
function copySetup(size) {
  return (env) => {
    const {
      memory,
      memshield: { MemoryProtectionLevel: L, AllocationType: T },
    } = env;
    const region = memory.allocate(size, 8, L.ReadWrite, T.Secure);
    const data = new Uint8Array(size).fill(0x5a);
    memory.write(region, data);
    const buffer = env.sodium?.sodium_malloc(size);
    buffer?.set(data);
    return { env, region, data, target: new Uint8Array(size), buffer };
  };
}

function copyTeardown({ env, region, buffer }) {
  env.memory.free(region);
  if (buffer) env.sodium.sodium_free(buffer);
}

/**
 * write, read and readInto cases for one size.
 * @param {{ write?: object, read?: object, readInto?: object }} targets - each case's targets
 */
function copyCases(size, label, targets = {}) {
  const common = { bytes: size, setup: copySetup(size), teardown: copyTeardown };
  return [
    {
      ...common,
      id: `write-${label.toLowerCase()}`,
      title: `write ${label.replace(/(\d+)/, '$1 ')}`,
      floor: { name: 'write', bytes: size },
      memshield({ env: { memory }, region, data }, iterations) {
        for (let i = 0; i < iterations; i++) memory.write(region, data);
      },
      sodium({ buffer, data }, iterations) {
        for (let i = 0; i < iterations; i++) buffer.set(data);
      },
      targets: targets.write,
    },
    {
      ...common,
      id: `read-${label.toLowerCase()}`,
      title: `read ${label.replace(/(\d+)/, '$1 ')} (new array)`,
      floor: { name: 'read', bytes: size },
      memshield({ env: { memory }, region }, iterations) {
        for (let i = 0; i < iterations; i++) memory.read(region);
      },
      // The same shape of result: a new Buffer holding a copy.
      sodium({ buffer }, iterations) {
        for (let i = 0; i < iterations; i++) Buffer.from(buffer);
      },
      targets: targets.read,
    },
    {
      ...common,
      id: `read-into-${label.toLowerCase()}`,
      title: `readInto ${label.replace(/(\d+)/, '$1 ')}`,
      floor: { name: 'read', bytes: size },
      skip: (env) => (typeof env.memory.readInto === 'function' ? undefined : 'this memshield has no readInto'),
      memshield({ env: { memory }, region, target }, iterations) {
        for (let i = 0; i < iterations; i++) memory.readInto(region, target);
      },
      sodium({ buffer, target }, iterations) {
        for (let i = 0; i < iterations; i++) buffer.copy(target);
      },
      targets: targets.readInto,
    },
  ];
}

/** @type {{ order: number, cases: TimedCase[] }} */
export default {
  order: 40,
  cases: [
    // Small copies: the fixed cost of a call (issue 14: at most 100 ns, a new array 150 ns).
    ...copyCases(32, '32B', { write: { ns: 100 }, read: { ns: 150 }, readInto: { ns: 100 } }),
    ...copyCases(KIB, '1KiB', { write: { ns: 100 }, readInto: { ns: 100 } }),
    // 80 % of memcpy's throughput: memshield may take 1.25× the floor's time.
    ...copyCases(MIB, '1MiB', { write: { floor: 1.25 }, readInto: { floor: 1.25 } }),
  ],
};
