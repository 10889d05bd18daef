// What the soak believes: every live region, SecureBuffer and SecureHeap with the bytes it should
// hold, its protection, lock state and backing. `checkModel` compares the belief with memshield's
// own report (inspect, stats) and with the kernel's (one /proc/self/smaps read).
import { overlapping, readSmaps } from './kernel.mjs';

export const LEVELS = ['NoAccess', 'ReadOnly', 'ReadWrite', 'Execute', 'ReadExecute', 'ReadWriteExecute'];
const RWX = {
  NoAccess: '---',
  ReadOnly: 'r--',
  ReadWrite: 'rw-',
  Execute: '--x',
  ReadExecute: 'r-x',
  ReadWriteExecute: 'rwx',
};
export const readable = (level) =>
  level === 'ReadOnly' || level === 'ReadWrite' || level === 'ReadExecute' || level === 'ReadWriteExecute';
export const writable = (level) => level === 'ReadWrite' || level === 'ReadWriteExecute';
export const executable = (level) => level === 'Execute' || level === 'ReadExecute' || level === 'ReadWriteExecute';

/** The smaps permissions of a protection level for a backing. */
export const permsOf = (level, backing) => `${RWX[level]}${backing === 'secret-memory' ? 's' : 'p'}`;

/** An empty model. */
export function createModel() {
  return {
    regions: [], // { region, kind, type, size, protection, locked, backing, bytes, info }
    freedRegions: [], // Regions already freed (for use-after-free and double-free inputs)
    buffers: [], // standalone SecureBuffers: { buffer, bytes, backing }
    heaps: [], // { heap, secrets: [{ buffer, bytes }], secretMemory }
    disposed: [], // disposed SecureBuffers
    destroyedHeaps: [],
  };
}

/** Every live secret (standalone and in heaps), for scoped-access operations. */
export function liveSecrets(model) {
  return [...model.buffers, ...model.heaps.flatMap((entry) => entry.secrets)];
}

/**
 * Compares the model with inspect()/stats() and with /proc/self/smaps. Returns the mismatches,
 * each a sentence naming the item and what differed.
 */
export function checkModel(model, mem, { kernel }) {
  const mismatches = [];
  const expect = (condition, what) => {
    if (!condition) mismatches.push(what);
  };
  const smaps = kernel ? readSmaps() : [];
  const kernelOf = (range) => overlapping(smaps, range.address, range.length);

  let locked = 0;
  let mapped = 0;
  model.regions.forEach((entry, i) => {
    const info = mem.inspect(entry.region);
    const name = `region ${i} (${entry.kind}, ${entry.size} B)`;
    expect(
      info.protection === entry.protection,
      `${name}: inspect says ${info.protection}, the model ${entry.protection}`,
    );
    expect(info.locked === entry.locked, `${name}: inspect says locked ${info.locked}, the model ${entry.locked}`);
    expect(info.size === entry.size && info.type === entry.type, `${name}: inspect says ${info.size} B ${info.type}`);
    expect(info.backing === entry.backing, `${name}: inspect says backing ${info.backing}, the model ${entry.backing}`);
    if (info.locked) locked += info.dataPages.length;
    mapped += info.mapping.length;
    if (!kernel) return;
    const pages = kernelOf(info.dataPages);
    const perms = permsOf(entry.protection, entry.backing);
    expect(
      pages.length > 0 && pages.every((page) => page.perms === perms),
      `${name}: smaps shows ${pages.map((page) => page.perms).join('+')} for its data pages, the model ${perms}`,
    );
    if (entry.kind !== 'LargePage') {
      expect(
        pages.every((page) => page.flags.has('lo') === entry.locked),
        `${name}: smaps lo is not ${entry.locked} on every data page`,
      );
    }
    if (entry.type === 'Secure')
      expect(
        kernelOf(info.mapping).every((page) => page.flags.has('dd') && page.flags.has('dc')),
        `${name}: smaps lacks dd/dc somewhere in the mapping`,
      );
    for (const guard of info.guards)
      expect(
        kernelOf(guard).every((page) => page.perms === '---p'),
        `${name}: a guard page is not ---p in smaps`,
      );
  });
  const stats = mem.stats();
  expect(
    stats.liveRegions === model.regions.length,
    `PlatformMemory.stats() says ${stats.liveRegions} live regions, the model ${model.regions.length}`,
  );
  expect(
    stats.lockedBytes === locked && stats.mappedBytes === mapped,
    `PlatformMemory.stats() says ${stats.mappedBytes} mapped / ` +
      `${stats.lockedBytes} locked, inspect ${mapped} / ${locked}`,
  );

  model.buffers.forEach((entry, i) => {
    const info = entry.buffer.inspect();
    const name = `SecureBuffer ${i} (${entry.bytes.length} B)`;
    expect(
      info.protection === 'NoAccess' && info.locked && info.placement === 'region',
      `${name}: inspect says ${info.protection}, locked ${info.locked}, ${info.placement}`,
    );
    expect(info.backing === entry.backing, `${name}: inspect says backing ${info.backing}, the model ${entry.backing}`);
    if (!kernel) return;
    const pages = kernelOf(info.dataPages);
    expect(
      pages.length > 0 &&
        pages.every((page) => page.perms === permsOf('NoAccess', entry.backing) && page.flags.has('lo')),
      `${name}: smaps shows ${pages.map((page) => `${page.perms} ${[...page.flags].join(' ')}`).join(' + ')}`,
    );
  });
  model.heaps.forEach((entry, i) => {
    const stats = entry.heap.stats();
    const name = `SecureHeap ${i}`;
    expect(
      stats.live === entry.secrets.length,
      `${name}: stats says ${stats.live} live secrets, the model ${entry.secrets.length}`,
    );
    expect(
      stats.usedBytes === entry.secrets.reduce((sum, secret) => sum + secret.bytes.length, 0),
      `${name}: stats.usedBytes ${stats.usedBytes} differs from the model`,
    );
    expect(stats.openScopes === 0, `${name}: ${stats.openScopes} scopes open at rest`);
    if (!kernel) return;
    for (const arena of entry.heap.inspect().arenas) {
      const pages = kernelOf(arena.dataPages);
      expect(
        pages.every((page) => page.perms === permsOf('NoAccess', arena.backing) && page.flags.has('lo')),
        `${name}: an arena is not NoAccess and locked in smaps at rest`,
      );
    }
  });
  return mismatches;
}
