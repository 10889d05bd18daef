// The soak's operations: each picks its targets with the seeded random source, acts through the
// public API, predicts the outcome from the model (success, or exactly which error), and updates
// the model. `expectError` is the only place an error may be caught: anything else is unexpected.
import { LEVELS, executable, liveSecrets, readable, writable } from './model.mjs';

const MAX_REGIONS = 120;
const MAX_LARGE_PAGES = 3;
const MAX_BUFFERS = 120;
const MAX_HEAPS = 3;
const MAX_HEAP_SECRETS = 1500;
const MAX_KEPT = 16; // freed regions, disposed buffers, destroyed heaps kept for bad inputs

/** Runs `action`, which must throw a MemoryProtectionError with `code` (and a message). */
export function expectError(ctx, code, action) {
  try {
    action();
  } catch (error) {
    if (error instanceof ctx.api.MemoryProtectionError && error.code === code && error.message.length > 20) {
      ctx.expectedErrors[code] = (ctx.expectedErrors[code] ?? 0) + 1;
      return error;
    }
    throw error; // the runner records it as unexpected
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}

const keep = (list, item) => {
  list.push(item);
  if (list.length > MAX_KEPT) list.shift();
};
const removeAt = (list, index) => list.splice(index, 1)[0];
const equalBytes = (a, b) => a.length === b.length && a.every((byte, i) => byte === b[i]);

/** A size: mostly small, sometimes several pages. */
function randomSize(rng, page) {
  const pick = rng.int(10);
  if (pick < 6) return rng.between(1, 256);
  if (pick < 9) return rng.between(257, page);
  return rng.between(page + 1, 3 * page);
}
const randomAlign = (rng) => 2 ** rng.pick([0, 0, 1, 2, 3, 3, 4, 4, 5, 6, 8, 12]);

// ── Regions (PlatformMemory) ────────────────────────────────────────────────────────────────

function allocate(ctx) {
  const { rng, model, mem } = ctx;
  if (model.regions.length >= MAX_REGIONS) return free(ctx);
  const largeLive = model.regions.filter((entry) => entry.kind === 'LargePage').length;
  const weights = [3, 3, largeLive < MAX_LARGE_PAGES ? 0.3 : 0, 2];
  const kind = rng.weighted(
    weights,
    weights.reduce((sum, weight) => sum + weight, 0),
  );
  const kindName = ['Regular', 'Secure', 'LargePage', 'Guarded'][kind];
  const size = randomSize(rng, ctx.page);
  const align = randomAlign(rng);
  const protection = rng.pick(LEVELS);
  const type = kindName === 'Guarded' ? rng.pick(['Regular', 'Secure']) : kindName;
  const secretMemory = type === 'Secure' ? rng.pick(ctx.secretPolicies) : undefined;
  const options = secretMemory ? { secretMemory } : undefined;
  if (secretMemory === 'required' && executable(protection)) {
    return expectError(ctx, 'INVALID_ARGUMENT', () => mem.allocate(size, align, protection, type, options));
  }
  let region;
  const attempt = () =>
    kindName === 'Guarded'
      ? mem.allocateWithGuardPages(size, rng.between(1, 2), rng.between(0, 2), align, { protection, type, ...options })
      : mem.allocate(size, align, protection, type, options);
  if (type === 'Secure' && !ctx.privileged) {
    try {
      region = attempt();
    } catch (error) {
      if (!['LOCK_FAILED', 'ALLOCATION_FAILED'].includes(error?.code)) throw error;
      ctx.expectedErrors[error.code] = (ctx.expectedErrors[error.code] ?? 0) + 1; // the memlock limit, unprivileged
      return;
    }
  } else {
    region = attempt();
  }
  const backing =
    secretMemory && secretMemory !== 'off' && ctx.secretMemory && !executable(protection)
      ? 'secret-memory'
      : 'anonymous';
  const info = mem.inspect(region);
  model.regions.push({
    region,
    kind: kindName,
    type,
    size,
    protection,
    locked: info.locked,
    backing,
    bytes: new Uint8Array(size),
    info,
  });
  if (type === 'Secure' && ctx.privileged && !info.locked)
    throw new Error('a Secure region came back unlocked although this process may lock');
}

function free(ctx) {
  const { rng, model, mem } = ctx;
  if (model.regions.length === 0) return allocate(ctx);
  const entry = removeAt(model.regions, rng.int(model.regions.length));
  if (entry.kind === 'Guarded' || (entry.type === 'Secure' && rng.chance(0.5))) mem.freeGuardedMemory(entry.region);
  else mem.free(entry.region);
  keep(model.freedRegions, entry.region);
}

const pickRegion = (ctx) =>
  ctx.model.regions.length ? ctx.model.regions[ctx.rng.int(ctx.model.regions.length)] : undefined;

function protect(ctx) {
  const entry = pickRegion(ctx);
  if (!entry) return allocate(ctx);
  const level = ctx.rng.pick(LEVELS);
  if (entry.backing === 'secret-memory' && executable(level)) {
    const error = expectError(ctx, 'PROTECTION_FAILED', () => ctx.mem.protect(entry.region, level));
    if (error.errnoName !== 'EACCES') throw error;
    return;
  }
  ctx.mem.protect(entry.region, level);
  entry.protection = level;
}

function lock(ctx) {
  const entry = pickRegion(ctx);
  if (!entry) return allocate(ctx);
  if (!ctx.privileged && !entry.locked) {
    try {
      ctx.mem.lock(entry.region);
    } catch (error) {
      if (error?.code !== 'LOCK_FAILED') throw error;
      ctx.expectedErrors.LOCK_FAILED = (ctx.expectedErrors.LOCK_FAILED ?? 0) + 1;
      return;
    }
  } else {
    ctx.mem.lock(entry.region);
  }
  entry.locked = true;
}

function unlock(ctx) {
  const entry = pickRegion(ctx);
  if (!entry) return allocate(ctx);
  if (entry.backing === 'secret-memory') return expectError(ctx, 'NOT_SUPPORTED', () => ctx.mem.unlock(entry.region));
  ctx.mem.unlock(entry.region);
  entry.locked = false;
}

function write(ctx) {
  const entry = pickRegion(ctx);
  if (!entry) return allocate(ctx);
  const offset = ctx.rng.int(entry.size);
  const data = ctx.rng.bytes(ctx.rng.between(1, entry.size - offset));
  if (!writable(entry.protection))
    return expectError(ctx, 'ACCESS_DENIED', () => ctx.mem.write(entry.region, data, offset));
  ctx.mem.write(entry.region, data, offset);
  entry.bytes.set(data, offset);
}

function read(ctx) {
  const entry = pickRegion(ctx);
  if (!entry) return allocate(ctx);
  const offset = ctx.rng.int(entry.size);
  const length = ctx.rng.between(0, entry.size - offset);
  if (!readable(entry.protection))
    return expectError(ctx, 'ACCESS_DENIED', () => ctx.mem.read(entry.region, offset, length));
  let bytes;
  if (ctx.rng.chance(0.5)) bytes = ctx.mem.read(entry.region, offset, length);
  else {
    bytes = new Uint8Array(length);
    ctx.mem.readInto(entry.region, bytes, offset);
  }
  if (!equalBytes(bytes, entry.bytes.subarray(offset, offset + length)))
    ctx.mismatches.push(`read of a ${entry.kind} region at ${offset} returned other bytes than were written`);
}

function secureClear(ctx) {
  const entry = pickRegion(ctx);
  if (!entry) return allocate(ctx);
  ctx.mem.secureClear(entry.region);
  entry.bytes.fill(0);
}

function inspectRegion(ctx) {
  const entry = pickRegion(ctx);
  if (!entry) return allocate(ctx);
  const info = ctx.mem.inspect(entry.region);
  if (
    info.protection !== entry.protection ||
    info.locked !== entry.locked ||
    info.backing !== entry.backing ||
    info.size !== entry.size
  ) {
    ctx.mismatches.push(
      `inspect of a ${entry.kind} region says ${info.protection}/${info.locked}/${info.backing}, ` +
        `the model ${entry.protection}/${entry.locked}/${entry.backing}`,
    );
  }
}

// ── SecureBuffer ────────────────────────────────────────────────────────────────────────────

function createBuffer(ctx) {
  const { rng, model, api, host } = ctx;
  if (model.buffers.length >= MAX_BUFFERS) return disposeSecret(ctx);
  const secretMemory = rng.pick(ctx.secretPolicies);
  const size = rng.between(1, rng.chance(0.9) ? 64 : 3 * ctx.page);
  let buffer;
  let bytes;
  try {
    if (rng.chance(0.5)) {
      bytes = rng.bytes(size);
      const source = bytes.slice();
      buffer = api.SecureBuffer.from(source, { host, secretMemory });
      if (!source.every((byte) => byte === 0)) ctx.mismatches.push('SecureBuffer.from left its source unwiped');
    } else {
      bytes = new Uint8Array(size);
      buffer = api.SecureBuffer.alloc(size, { host, secretMemory });
    }
  } catch (error) {
    if (ctx.privileged || !['LOCK_FAILED', 'ALLOCATION_FAILED'].includes(error?.code)) throw error;
    ctx.expectedErrors[error.code] = (ctx.expectedErrors[error.code] ?? 0) + 1;
    return;
  }
  model.buffers.push({
    buffer,
    bytes,
    backing: secretMemory !== 'off' && ctx.secretMemory ? 'secret-memory' : 'anonymous',
  });
}

/** A live secret (standalone or in a heap), or undefined. */
function pickSecret(ctx) {
  const all = liveSecrets(ctx.model);
  return all.length ? all[ctx.rng.int(all.length)] : undefined;
}

function useSecret(ctx) {
  const entry = pickSecret(ctx);
  if (!entry) return createBuffer(ctx);
  const nested = ctx.rng.chance(0.1) ? pickSecret(ctx) : undefined;
  const same = entry.buffer.use((view) => {
    const inner = nested ? nested.buffer.use((other) => equalBytes(other, nested.bytes)) : true;
    return equalBytes(view, entry.bytes) && inner;
  });
  if (!same) ctx.mismatches.push(`use() of a ${entry.bytes.length}-byte secret saw other bytes than the model`);
}

function updateSecret(ctx) {
  const entry = pickSecret(ctx);
  if (!entry) return createBuffer(ctx);
  const offset = ctx.rng.int(entry.bytes.length);
  const data = ctx.rng.bytes(ctx.rng.between(1, entry.bytes.length - offset));
  entry.buffer.update((view) => view.set(data, offset));
  entry.bytes.set(data, offset);
}

function equalsSecret(ctx) {
  const entry = pickSecret(ctx);
  if (!entry) return createBuffer(ctx);
  const other = entry.bytes.slice();
  other[ctx.rng.int(other.length)] ^= 1 + ctx.rng.int(255);
  if (!entry.buffer.equals(entry.bytes) || entry.buffer.equals(other))
    ctx.mismatches.push('equals() disagreed with the model');
}

function disposeSecret(ctx) {
  const { rng, model } = ctx;
  const total = liveSecrets(model).length;
  if (total === 0) return createBuffer(ctx);
  let index = rng.int(total);
  if (index < model.buffers.length) {
    const entry = removeAt(model.buffers, index);
    entry.buffer.dispose();
    keep(model.disposed, entry.buffer);
    return;
  }
  index -= model.buffers.length;
  for (const heap of model.heaps) {
    if (index < heap.secrets.length) {
      const entry = removeAt(heap.secrets, index);
      entry.buffer.dispose();
      keep(model.disposed, entry.buffer);
      return;
    }
    index -= heap.secrets.length;
  }
}

// ── SecureHeap ──────────────────────────────────────────────────────────────────────────────

function heapAlloc(ctx) {
  const { rng, model, api, host } = ctx;
  if (model.heaps.length === 0 || (model.heaps.length < MAX_HEAPS && rng.chance(0.05))) {
    const secretMemory = rng.pick(ctx.secretPolicies);
    model.heaps.push({
      heap: new api.SecureHeap({ host, secretMemory, arenaSize: rng.pick([16, 64, 256]) * 1024 }),
      secrets: [],
      secretMemory,
    });
    return;
  }
  const entry = model.heaps[rng.int(model.heaps.length)];
  if (entry.secrets.length >= MAX_HEAP_SECRETS) return disposeSecret(ctx);
  const size = rng.chance(0.97) ? rng.between(1, 96) : rng.between(97, 2000); // > 1 KiB: a region of its own
  let buffer;
  let bytes;
  try {
    if (rng.chance(0.5)) {
      bytes = rng.bytes(size);
      buffer = entry.heap.from(bytes.slice());
    } else {
      bytes = new Uint8Array(size);
      buffer = entry.heap.alloc(size);
    }
  } catch (error) {
    if (ctx.privileged || !['LOCK_FAILED', 'ALLOCATION_FAILED'].includes(error?.code)) throw error;
    ctx.expectedErrors[error.code] = (ctx.expectedErrors[error.code] ?? 0) + 1;
    return;
  }
  entry.secrets.push({ buffer, bytes });
}

function heapMaintain(ctx) {
  const { rng, model } = ctx;
  if (model.heaps.length === 0) return heapAlloc(ctx);
  const index = rng.int(model.heaps.length);
  const entry = model.heaps[index];
  const action = rng.int(20);
  if (action < 9) entry.heap.flush();
  else if (action < 18) entry.heap.trim();
  else {
    removeAt(model.heaps, index);
    entry.heap.destroy();
    for (const secret of entry.secrets) keep(model.disposed, secret.buffer);
    keep(model.destroyedHeaps, entry.heap);
  }
}

// ── Bad inputs ──────────────────────────────────────────────────────────────────────────────

/** Each: [expected code, action] — or undefined when the model has nothing to aim it at. */
const BAD_INPUTS = [
  (ctx) => [
    'INVALID_ARGUMENT',
    () => ctx.mem.allocate(ctx.rng.pick([0, -5, 1.5, Number.NaN, '32', 2 ** 48, Infinity]), 8, 'ReadWrite', 'Regular'),
  ],
  (ctx) => [
    'INVALID_ARGUMENT',
    () => ctx.mem.allocate(32, ctx.rng.pick([0, 3, 12, 2 ** 31, -8]), 'ReadWrite', 'Regular'),
  ],
  (ctx) => ['INVALID_ARGUMENT', () => ctx.mem.allocate(32, 8, ctx.rng.pick(['Bogus', 2, null]), 'Regular')],
  (ctx) => ['INVALID_ARGUMENT', () => ctx.mem.allocate(32, 8, 'ReadWrite', ctx.rng.pick(['Bogus', 1, undefined]))],
  (ctx) => ['INVALID_ARGUMENT', () => ctx.mem.allocateWithGuardPages(32, 0, 0, 8)],
  (ctx) => ['INVALID_ARGUMENT', () => ctx.mem.allocate(32, 8, 'ReadWrite', 'Regular', { secretMemory: 'preferred' })],
  (ctx) => ['INVALID_ARGUMENT', () => ctx.mem.free(ctx.rng.pick(['region', 42, {}, null]))],
  (ctx) => ['INVALID_ARGUMENT', () => ctx.mem.free(ctx.foreignRegion)],
  (ctx) => {
    const entry = pickRegion(ctx);
    return entry && ['OUT_OF_BOUNDS', () => ctx.mem.write(entry.region, new Uint8Array(entry.size + 1))];
  },
  (ctx) => {
    const entry = pickRegion(ctx);
    return entry && ['OUT_OF_BOUNDS', () => ctx.mem.read(entry.region, entry.size + 1)];
  },
  (ctx) => {
    const entry = pickRegion(ctx);
    return entry && ['INVALID_ARGUMENT', () => ctx.mem.write(entry.region, 'not bytes')];
  },
  (ctx) => {
    const entry = pickRegion(ctx);
    return entry && ['INVALID_ARGUMENT', () => ctx.mem.protect(entry.region, 'Bogus')];
  },
  (ctx) => {
    const entry = ctx.model.regions.find((candidate) => candidate.kind === 'Regular' || candidate.kind === 'LargePage');
    return entry && ['INVALID_ARGUMENT', () => ctx.mem.freeGuardedMemory(entry.region)];
  },
  (ctx) => {
    const freed = ctx.model.freedRegions.at(-1);
    return freed && ['USE_AFTER_FREE', () => ctx.mem.read(freed)];
  },
  (ctx) => {
    const freed = ctx.model.freedRegions.at(-1);
    return freed && ['DOUBLE_FREE', () => ctx.mem.free(freed)];
  },
  (ctx) => [
    'INVALID_ARGUMENT',
    () => ctx.api.SecureBuffer.alloc(ctx.rng.pick([0, -1, 2.5, 'ten']), { host: ctx.host }),
  ],
  (ctx) => ['INVALID_ARGUMENT', () => ctx.api.SecureBuffer.from(new Uint8Array(0), { host: ctx.host })],
  (ctx) => ['INVALID_ARGUMENT', () => ctx.api.SecureBuffer.alloc(16, { host: ctx.host, secretMemory: 'sometimes' })],
  (ctx) => {
    const disposed = ctx.model.disposed.at(-1);
    return disposed && ['USE_AFTER_FREE', () => disposed.use(() => 0)];
  },
  (ctx) => {
    const entry = pickSecret(ctx);
    return entry && ['ACCESS_DENIED', () => entry.buffer.use(() => entry.buffer.dispose())];
  },
  (ctx) => {
    const entry = pickSecret(ctx);
    return entry && ['INVALID_ARGUMENT', () => entry.buffer.use(async () => 0)];
  },
  (ctx) => {
    const heap = ctx.model.destroyedHeaps.at(-1);
    return heap && ['USE_AFTER_FREE', () => heap.alloc(16)];
  },
  (ctx) => {
    const entry = ctx.model.heaps[0];
    return entry && ['INVALID_ARGUMENT', () => entry.heap.alloc(ctx.rng.pick([0, -3, 1.5]))];
  },
  (ctx) => ['INVALID_ARGUMENT', () => new ctx.api.SecureHeap({ host: ctx.host, arenaSize: -1 })],
];

function badInput(ctx) {
  const made = ctx.rng.pick(BAD_INPUTS)(ctx);
  if (!made) return;
  const [code, action] = made;
  // The 'unexpected' control expects a wrong code once: the runner must report it.
  const expected = ctx.control === 'unexpected' && !ctx.controlFired ? 'FREE_FAILED' : code;
  if (expected !== code) ctx.controlFired = true;
  expectError(ctx, expected, action);
}

/** [name, weight, run] */
export const OPERATIONS = [
  ['allocate', 6, allocate],
  ['free', 5, free],
  ['protect', 6, protect],
  ['lock', 2, lock],
  ['unlock', 2, unlock],
  ['write', 8, write],
  ['read', 8, read],
  ['secureClear', 2, secureClear],
  ['inspect', 0.3, inspectRegion],
  ['SecureBuffer.from/alloc', 4, createBuffer],
  ['use', 6, useSecret],
  ['update', 4, updateSecret],
  ['equals', 1, equalsSecret],
  ['dispose', 5, disposeSecret],
  ['heap.alloc/from', 8, heapAlloc],
  ['heap flush/trim/destroy', 0.6, heapMaintain],
  ['bad input', 5, badInput],
];
