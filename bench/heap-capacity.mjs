#!/usr/bin/env node
// How many live secrets fit, locked, as an unprivileged user under the default RLIMIT_MEMLOCK:
// 100,000 secrets of 32 bytes in one SecureHeap (target: all locked, VmLck <= 8192 kB, at most
// 100 kernel mappings), beside sodium-native's sodium_malloc(32) in the same process.
// Prints a table, then one line of JSON.
//
//   node bench/heap-capacity.mjs [COUNT]   (needs `npm run build`; as root it re-runs itself as
//                                           nobody without capabilities, through setpriv)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const COUNT = Number(process.argv[2] ?? 100_000);
const SODIUM_COUNT = 3_000; // past the 2,048 an 8 MiB limit allows, far from the ~16,300 abort

if (process.getuid() === 0) {
  // CAP_IPC_LOCK would let root lock past the limit: measure as an ordinary user instead.
  const unprivileged = ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'];
  const result = spawnSync('setpriv', [...unprivileged, process.execPath, fileURLToPath(import.meta.url), String(COUNT)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

const { SecureHeap } = await import(new URL('../dist/src/index.js', import.meta.url));
const sodium = (await import('sodium-native')).default;

const status = () => readFileSync('/proc/self/status', 'utf8');
const vmLocked = () => Number(/^VmLck:\s+(\d+) kB/m.exec(status())[1]) * 1024;
const mapsCount = () => readFileSync('/proc/self/maps', 'utf8').split('\n').filter(Boolean).length;
const limit = /^Max locked memory\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))[1];

/** smaps entries overlapping any of the ranges: perms, flags, locked bytes. */
function entriesOver(ranges) {
  const entries = [];
  let current;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) /.exec(line);
    if (header) {
      const start = BigInt(`0x${header[1]}`);
      const end = BigInt(`0x${header[2]}`);
      current = ranges.some(([from, to]) => start < to && end > from) ? { start, end, perms: header[3], flags: [], locked: 0 } : undefined;
      if (current) entries.push(current);
    } else if (current && line.startsWith('Locked:')) current.locked = Number.parseInt(line.slice(7), 10) * 1024;
    else if (current && line.startsWith('VmFlags:')) current.flags = line.slice(8).trim().split(/\s+/);
  }
  return entries;
}

// ── SecureHeap ──────────────────────────────────────────────────────────────────────────────
const lockedBefore = vmLocked();
const mapsBefore = mapsCount();
const heap = new SecureHeap();
const secrets = new Array(COUNT);
const start = process.hrtime.bigint();
for (let i = 0; i < COUNT; i++) {
  const secret = heap.alloc(32);
  secret.update((view) => { view[0] = i & 0xff; view[31] = i >>> 8; });
  secrets[i] = secret;
}
const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
const stats = heap.stats();
const arenas = heap.inspect().arenas;
const heapEntries = entriesOver(arenas.map((arena) => [arena.mapping.address, arena.mapping.address + BigInt(arena.mapping.length)]));
const dataEntries = entriesOver(arenas.map((arena) => [arena.dataPages.address, arena.dataPages.address + BigInt(arena.dataPages.length)]));
const heapLocked = vmLocked() - lockedBefore;
const allLocked = dataEntries.every((entry) => entry.flags.includes('lo') && entry.locked === Number(entry.end - entry.start));
const allNoAccess = dataEntries.every((entry) => entry.perms === '---p');
const intact = secrets.every((secret, i) => secret.use((view) => view[0] === (i & 0xff) && view[31] === ((i >>> 8) & 0xff)));
const mapsWithHeap = mapsCount();
heap.destroy();

// ── sodium-native ───────────────────────────────────────────────────────────────────────────
const sodiumLockedBefore = vmLocked();
const sodiumMapsBefore = mapsCount();
const buffers = [];
for (let i = 0; i < SODIUM_COUNT; i++) buffers.push(sodium.sodium_malloc(32));
const sodiumLocked = vmLocked() - sodiumLockedBefore;
const sodiumMaps = mapsCount() - sodiumMapsBefore;

const results = {
  uid: process.getuid(),
  memlockLimit: limit,
  secureHeap: {
    secrets: COUNT,
    secretSize: 32,
    allocateAndWriteMs: Math.round(elapsedMs),
    vmLockedKb: heapLocked / 1024,
    statsLockedKb: stats.lockedBytes / 1024,
    allLocked,
    allNoAccessAtRest: allNoAccess,
    heapMappings: heapEntries.length,
    arenas: stats.arenas,
    reservedKb: stats.reservedBytes / 1024,
    processMappingsBefore: mapsBefore,
    processMappingsWithHeap: mapsWithHeap,
    secretsIntact: intact,
  },
  sodiumNative: {
    secrets: SODIUM_COUNT,
    vmLockedKb: sodiumLocked / 1024,
    lockedSecrets: Math.floor(sodiumLocked / 4096),
    mappings: sodiumMaps,
    mappingsPerSecret: Number((sodiumMaps / SODIUM_COUNT).toFixed(2)),
    mappingsFor100k: Math.round((sodiumMaps / SODIUM_COUNT) * 100_000),
  },
  targets: { vmLockedKb: 8192, heapMappings: 100 },
};

const h = results.secureHeap;
const s = results.sodiumNative;
const rows = [
  ['', `SecureHeap (${h.secrets} live)`, `sodium_malloc (${s.secrets} live)`, 'target'],
  ['secrets locked', h.allLocked ? `all ${h.secrets}` : 'NOT ALL', `${s.lockedSecrets} (then silently unlocked)`, 'all'],
  ['VmLck', `${h.vmLockedKb} kB`, `${s.vmLockedKb} kB`, '<= 8192 kB'],
  ['kernel mappings', `${h.heapMappings} (${h.arenas} arenas)`, `${s.mappings} (${s.mappingsFor100k} for 100k)`, '<= 100'],
  ['NoAccess at rest', String(h.allNoAccessAtRest), '-', 'true'],
  ['allocate + write all', `${h.allocateAndWriteMs} ms`, '-', ''],
];
const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column].length)));
writeSync(1, `uid ${results.uid}, RLIMIT_MEMLOCK ${limit} bytes\n`);
writeSync(1, `${rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ')).join('\n')}\n`);
writeSync(1, `${JSON.stringify(results)}\n`);
