// The golden scenarios: one public operation on one kind of region each. Shared by the golden
// trace test (simulated host, trace pinned in traces.json) and the strace child (Linux host, the
// kernel's record of the same operation). Plain JavaScript so a plain `node` child can load it.
//
// A scenario prepares a region holding 16 written bytes (not traced), then acts (traced): clear and
// free wipe what was written; the "never written" ones show that nothing else is wiped. `hostOptions` marks scenarios
// that need the simulated host's scripted faults or capabilities: they are not run under strace.

/** The region kinds, and how each is allocated (ReadWrite). */
const KINDS = {
  Regular: (mem, api) => mem.allocate(100, 8, api.MemoryProtectionLevel.ReadWrite, api.AllocationType.Regular),
  Secure: (mem, api) => mem.allocate(32, 8, api.MemoryProtectionLevel.ReadWrite, api.AllocationType.Secure),
  LargePage: (mem, api) => mem.allocate(5000, 8, api.MemoryProtectionLevel.ReadWrite, api.AllocationType.LargePage),
  Guarded: (mem) => mem.allocateWithGuardPages(100, 1, 1, 8),
};

/** The operations, each given a prepared ReadWrite region. `closed` first sets NoAccess (untraced). */
const OPERATIONS = [
  ['write 32 bytes', (mem, _api, region) => mem.write(region, new Uint8Array(32).fill(0xa5))],
  [
    'read all',
    (mem, _api, region) => {
      mem.read(region);
    },
  ],
  ['readInto a 32-byte buffer', (mem, _api, region) => mem.readInto(region, new Uint8Array(32))],
  ['protect ReadOnly', (mem, api, region) => mem.protect(region, api.MemoryProtectionLevel.ReadOnly)],
  ['protect ReadWrite (unchanged)', (mem, api, region) => mem.protect(region, api.MemoryProtectionLevel.ReadWrite)],
  ['protect NoAccess', (mem, api, region) => mem.protect(region, api.MemoryProtectionLevel.NoAccess)],
  ['lock', (mem, _api, region) => mem.lock(region)],
  ['unlock', (mem, _api, region) => mem.unlock(region)],
  ['lock when NoAccess', (mem, _api, region) => mem.lock(region), { closed: true }],
  ['secureClear', (mem, _api, region) => mem.secureClear(region)],
  ['secureClear when NoAccess', (mem, _api, region) => mem.secureClear(region), { closed: true }],
  ['free', (mem, _api, region) => mem.free(region)],
  ['free when NoAccess', (mem, _api, region) => mem.free(region), { closed: true }],
  [
    'inspect',
    (mem, _api, region) => {
      mem.inspect(region);
    },
  ],
  [
    'stats and pageSize',
    (mem) => {
      mem.stats();
      mem.pageSize();
    },
  ],
];

/**
 * @returns {Array<{ name: string, hostOptions?: object, prepare(mem, api): any, act(mem, api, region): any }>}
 *   `act` returns the region it made, if it allocated one.
 */
export function goldenScenarios() {
  const scenarios = [];
  for (const [kind, allocate] of Object.entries(KINDS)) {
    scenarios.push({ name: `${kind}: allocate`, prepare: () => undefined, act: allocate });
    for (const [operation, act, options = {}] of OPERATIONS) {
      scenarios.push({
        name: `${kind}: ${operation}`,
        prepare(mem, api) {
          const region = allocate(mem, api);
          mem.write(region, new Uint8Array(16).fill(0x5a));
          if (options.closed) mem.protect(region, api.MemoryProtectionLevel.NoAccess);
          return region;
        },
        act,
      });
    }
  }
  const secure = (mem, api, options) =>
    mem.allocate(32, 8, api.MemoryProtectionLevel.ReadWrite, api.AllocationType.Secure, options);
  // Never written: a Regular region is only unmapped, a guarded one wipes just its canary pages; a
  // Secure one is wiped whole as before (committed when it was made, so nothing is faulted in).
  const never = {
    Regular: 'nothing to clear; free only unmaps',
    Guarded: 'nothing to clear; free wipes only the canary pages',
    Secure: 'wiped whole: committed at allocation',
  };
  for (const [kind, what] of Object.entries(never)) {
    scenarios.push(
      {
        name: `${kind}: secureClear, never written (${what})`,
        prepare: KINDS[kind],
        act: (mem, _api, region) => mem.secureClear(region),
      },
      {
        name: `${kind}: free when NoAccess, never written (${what})`,
        prepare(mem, api) {
          const region = KINDS[kind](mem, api);
          mem.protect(region, api.MemoryProtectionLevel.NoAccess);
          return region;
        },
        act: (mem, _api, region) => mem.free(region),
      },
    );
  }
  scenarios.push(
    {
      name: 'Secure: allocate ReadOnly',
      prepare: () => undefined,
      act: (mem, api) => mem.allocate(32, 8, api.MemoryProtectionLevel.ReadOnly, api.AllocationType.Secure),
    },
    {
      name: 'Guarded: freeGuardedMemory',
      prepare: KINDS.Guarded,
      act: (mem, _api, region) => mem.freeGuardedMemory(region),
    },
    {
      name: 'Guarded: allocate Secure with 2 guard pages before and 3 after',
      prepare: () => undefined,
      act: (mem, api) => mem.allocateWithGuardPages(100, 2, 3, 8, { type: api.AllocationType.Secure }),
    },
    // Failure paths: each pins the undo the core makes.
    {
      name: 'Secure: allocate when mlock fails (undo: unmap)',
      hostOptions: { faults: [{ op: 'lock', nth: 1, errno: 'EPERM' }] },
      prepare: () => undefined,
      act: (mem, api) => {
        try {
          secure(mem, api);
        } catch {
          /* LOCK_FAILED */
        }
      },
    },
    {
      name: 'Secure: allocate best effort when mlock fails (undo: munlock)',
      hostOptions: { faults: [{ op: 'lock', nth: 1, errno: 'ENOMEM' }] },
      prepare: () => undefined,
      act: (mem, api) => secure(mem, api, { lock: 'bestEffort' }),
    },
    {
      name: 'Secure: lock when NoAccess and mlock fails (undo: munlock, close again)',
      hostOptions: { faults: [{ op: 'lock', nth: 2, errno: 'ENOMEM' }] },
      prepare(mem, api) {
        const region = secure(mem, api);
        mem.unlock(region);
        mem.protect(region, api.MemoryProtectionLevel.NoAccess);
        return region;
      },
      act: (mem, _api, region) => {
        try {
          mem.lock(region);
        } catch {
          /* LOCK_FAILED */
        }
      },
    },
    {
      name: 'LargePage: allocate with explicit huge pages reserved',
      hostOptions: { capabilities: { explicitHugePages: true } },
      prepare: () => undefined,
      act: KINDS.LargePage,
    },
    {
      name: 'LargePage: allocate when no explicit huge page is free after all (fallback)',
      hostOptions: { capabilities: { explicitHugePages: true }, faults: [{ op: 'map', nth: 1, errno: 'ENOMEM' }] },
      prepare: () => undefined,
      act: KINDS.LargePage,
    },
  );
  // Secret memory (memfd_secret) for a Secure region's data pages: the guards stay ordinary pages.
  const SECRET = { capabilities: { secretMemory: true } };
  const inSecret = (policy) => (mem, api) => secure(mem, api, { secretMemory: policy });
  scenarios.push(
    { name: 'Secret memory: allocate', hostOptions: SECRET, prepare: () => undefined, act: inSecret('preferred') },
    {
      name: 'Secret memory: free',
      hostOptions: SECRET,
      prepare: inSecret('preferred'),
      act: (mem, _api, region) => mem.free(region),
    },
    {
      name: 'Secret memory: lock (already locked by the kernel: no call)',
      hostOptions: SECRET,
      prepare: inSecret('preferred'),
      act: (mem, _api, region) => mem.lock(region),
    },
    {
      name: 'Secret memory: unlock (refused: the kernel keeps it locked)',
      hostOptions: SECRET,
      prepare: inSecret('preferred'),
      act: (mem, _api, region) => {
        try {
          mem.unlock(region);
        } catch {
          /* NOT_SUPPORTED */
        }
      },
    },
    {
      name: 'Secret memory: allocate preferred when it cannot be had (fallback: unmap, map ordinary pages)',
      hostOptions: { ...SECRET, faults: [{ op: 'mapSecret', nth: 1, errno: 'EAGAIN' }] },
      prepare: () => undefined,
      act: inSecret('preferred'),
    },
    {
      name: 'Secret memory: allocate required when it cannot be had (undo: unmap)',
      hostOptions: { ...SECRET, faults: [{ op: 'mapSecret', nth: 1, errno: 'EAGAIN' }] },
      prepare: () => undefined,
      act: (mem, api) => {
        try {
          inSecret('required')(mem, api);
        } catch {
          /* ALLOCATION_FAILED */
        }
      },
    },
    {
      name: 'Secret memory: allocate preferred on a machine without it (ordinary pages)',
      prepare: () => undefined,
      act: inSecret('preferred'),
      hostOptions: { capabilities: { secretMemory: false } },
    },
  );
  // Commit: every data page of a Secure region is in memory when allocate returns, or it failed.
  const big = (size, options) => (mem, api) =>
    mem.allocate(size, 8, api.MemoryProtectionLevel.ReadWrite, api.AllocationType.Secure, options);
  scenarios.push(
    {
      name: 'Secret memory: allocate 3 pages (committed by zeroing the data: mlock cannot populate secret memory)',
      hostOptions: SECRET,
      prepare: () => undefined,
      act: big(10000, { secretMemory: 'preferred' }),
    },
    {
      name: 'Secure: allocate 3 pages best effort when mlock fails (committed by zeroing the data)',
      hostOptions: { faults: [{ op: 'lock', nth: 1, errno: 'ENOMEM' }] },
      prepare: () => undefined,
      act: big(10000, { lock: 'bestEffort' }),
    },
    {
      name: 'Secure: allocate 2 MiB (first asks the host how much memory is left)',
      hostOptions: { availableMemory: 2 ** 30 },
      prepare: () => undefined,
      act: big(2 ** 21),
    },
    {
      name:
        'Secure: allocate 2 MiB when 1 MiB is left (refused before ' +
        'anything is mapped; the message asks again for its figures)',
      hostOptions: { availableMemory: 2 ** 20 },
      prepare: () => undefined,
      act: (mem, api) => {
        try {
          big(2 ** 21)(mem, api);
        } catch {
          /* ALLOCATION_FAILED */
        }
      },
    },
  );
  return scenarios;
}
