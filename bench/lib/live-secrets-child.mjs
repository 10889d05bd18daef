// The "live 32 B secrets held until failure" count (bench/heap.bench.mjs), one side per process,
// run unprivileged (test/helpers/privilege.mjs): allocates 32-byte secrets, writes each, and keeps
// them all alive until an allocation fails, the process dies, or `limit` is reached. What was
// reached and locked is printed as it goes, so a child that aborts has already said it.
//
//   node live-secrets-child.mjs memshield|sodium LIMIT
//
// Output, one line each:
//   live <secrets held> <secrets locked>     (memshield: every 1000; sodium: every secret)
//   stopped <code> <message>                 an allocation threw
//   fact <name> <json>                       what the kernel says (sodium's last ones are lost if it aborts)
import { readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';

const [side, limitArgument] = process.argv.slice(2);
const limit = Number(limitArgument);
const SIZE = 32;
const PAGE = 4096;
const CHECKPOINT = 100_000; // the target: what holding that many costs, in the facts

const say = (line) => writeSync(1, `${line}\n`);
const status = () => readFileSync('/proc/self/status', 'utf8');
const vmLockedBytes = () => Number(/^VmLck:\s+(\d+) kB/m.exec(status())[1]) * 1024;
const mappings = () => readFileSync('/proc/self/maps', 'utf8').split('\n').filter(Boolean).length;
const memlockLimit = /^Max locked memory\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))[1];
const fact = (name, value) => say(`fact ${name} ${JSON.stringify(value)}`);

/** smaps entries overlapping any of `ranges` ([start, end) as bigint): perms, VmFlags, Rss and Locked bytes. */
function smapsOver(ranges) {
  const entries = [];
  let current;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) /.exec(line);
    if (header) {
      const start = BigInt(`0x${header[1]}`);
      const end = BigInt(`0x${header[2]}`);
      current = ranges.some(([from, to]) => start < to && end > from)
        ? { start, end, perms: header[3], flags: [], rss: 0, locked: 0 }
        : undefined;
      if (current) entries.push(current);
    } else if (current && line.startsWith('Rss:')) current.rss = Number.parseInt(line.slice(4), 10) * 1024;
    else if (current && line.startsWith('Locked:')) current.locked = Number.parseInt(line.slice(7), 10) * 1024;
    else if (current && line.startsWith('VmFlags:')) current.flags = line.slice(8).trim().split(/\s+/);
  }
  return entries;
}

async function memshield() {
  const { SecureHeap } = await import(new URL('../../dist/src/index.js', import.meta.url).href);
  const lockedBefore = vmLockedBytes();
  const heap = new SecureHeap();
  const secrets = [];
  const start = process.hrtime.bigint();
  try {
    for (let i = 0; i < limit; i++) {
      const secret = heap.alloc(SIZE);
      secrets.push(secret);
      secret.update((view) => {
        view[0] = i & 0xff;
        view[SIZE - 1] = (i >>> 8) & 0xff;
      });
      if ((i + 1) % 1000 === 0) say(`live ${i + 1} ${i + 1}`); // locked: checked below, from smaps
      if (i + 1 === CHECKPOINT) fact('atCheckpoint', { secrets: CHECKPOINT, ...kernelView(heap, lockedBefore) });
    }
  } catch (error) {
    say(`stopped ${error.code ?? error.name} ${String(error.message).replace(/\s+/g, ' ')}`);
  }
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  const held = secrets.filter((secret) => !secret.disposed).length;
  const view = kernelView(heap, lockedBefore);
  const intact = secrets.every((secret, i) =>
    secret.use((bytes) => bytes[0] === (i & 0xff) && bytes[SIZE - 1] === ((i >>> 8) & 0xff)),
  );
  fact('reached', held);
  fact('lockedSecrets', view.allLocked ? held : null);
  fact('atEnd', {
    ...view,
    intact,
    reservedBytes: heap.stats().reservedBytes,
    allocateAndWriteMs: Math.round(elapsedMs),
  });
  heap.destroy();
}

/**
 * What the kernel says about a heap's arenas: VmLck (beyond `lockedBefore`), the mappings they
 * occupy, and whether every data page is locked and NoAccess: VmFlags `lo` (so a page faulted in
 * later is locked too), every resident byte locked (Locked = Rss; for anonymous memory mlock
 * faulted them all in, memfd_secret memory is resident once touched), permissions `---p` or
 * `---s` (memfd_secret is a shared mapping).
 */
function kernelView(heap, lockedBefore) {
  const arenas = heap.inspect().arenas;
  const range = ({ address, length }) => [address, address + BigInt(length)];
  const data = smapsOver(arenas.map((arena) => range(arena.dataPages)));
  const { lockedBytes, arenas: count } = heap.stats();
  return {
    vmLockedBytes: vmLockedBytes() - lockedBefore,
    heapLockedBytes: lockedBytes,
    arenas: count,
    heapMappings: smapsOver(arenas.map((arena) => range(arena.mapping))).length,
    allLocked: data.length > 0 && data.every((entry) => entry.flags.includes('lo') && entry.locked === entry.rss),
    allNoAccessAtRest: data.every((entry) => entry.perms.startsWith('---')),
  };
}

async function sodium() {
  const native = createRequire(import.meta.url)('sodium-native');
  const lockedBefore = vmLockedBytes();
  const mappingsBefore = mappings();
  const buffers = [];
  let locked = 0;
  let lastLocked = lockedBefore;
  try {
    for (let i = 0; i < limit; i++) {
      const buffer = native.sodium_malloc(SIZE); // aborts the process (SIGABRT) when it cannot map
      buffer[0] = i & 0xff;
      buffers.push(buffer);
      // Locked or not: sodium_malloc says nothing when mlock fails; VmLck does.
      const nowLocked = vmLockedBytes();
      if (nowLocked - lastLocked >= PAGE) locked++;
      lastLocked = nowLocked;
      if (i + 1 === 1000) fact('mappingsPerSecret', (mappings() - mappingsBefore) / 1000);
      say(`live ${i + 1} ${locked}`);
    }
  } catch (error) {
    say(`stopped ${error.code ?? error.name} ${String(error.message).replace(/\s+/g, ' ')}`);
  }
  fact('reached', buffers.length);
  fact('lockedSecrets', locked);
  fact('vmLockedBytes', vmLockedBytes() - lockedBefore);
}

fact('process', { uid: process.getuid(), memlockLimit, limit });
if (side === 'memshield') await memshield();
else if (side === 'sodium') await sodium();
else throw new Error(`usage: live-secrets-child.mjs memshield|sodium LIMIT (got ${side})`);
