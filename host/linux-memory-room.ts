// What a Linux process can still commit: MemAvailable, or less where a memory cgroup (v1 or v2)
// limits it. Measured (docs/secret-memory.md): committing past either does not fail — mlock,
// MADV_POPULATE_WRITE and plain writes all end in the OOM killer (exit 137) — so the core asks
// this before it commits a Secure region's pages, and says no while it still can.
import { procField, readKernelFile } from './linux-files.js';
import type { MemoryRoom } from './types.js';

/** The file names of one cgroup version's memory controller. */
interface CgroupFiles {
  root: string; // where the hierarchy is mounted
  limit: string;
  usage: string;
  inactiveFile: RegExp; // in memory.stat: page cache the kernel reclaims before it kills
}

const V2: CgroupFiles = {
  root: '/sys/fs/cgroup',
  limit: 'memory.max',
  usage: 'memory.current',
  inactiveFile: /^inactive_file (\d+)$/m,
};
const V1: CgroupFiles = {
  root: '/sys/fs/cgroup/memory',
  limit: 'memory.limit_in_bytes',
  usage: 'memory.usage_in_bytes',
  inactiveFile: /^total_inactive_file (\d+)$/m,
};

/** A limit file's value in bytes; `max` and v1's "no limit" (about 2^63) read as Infinity. */
function limitValue(text: string | undefined): number | undefined {
  const word = text?.trim();
  if (!word) return undefined;
  if (word === 'max') return Number.POSITIVE_INFINITY;
  const value = Number(word);
  return Number.isFinite(value) && value < 2 ** 62
    ? value
    : Number.isFinite(value)
      ? Number.POSITIVE_INFINITY
      : undefined;
}

/** This process's memory cgroup path and the files to read there, from /proc/self/cgroup. */
function ownCgroup(): { files: CgroupFiles; path: string } | undefined {
  const text = readKernelFile('/proc/self/cgroup') ?? '';
  const v1 = /^\d+:(?:[^:\n]*,)?memory(?:,[^:\n]*)?:(\/[^\n]*)$/m.exec(text);
  if (v1) return { files: V1, path: v1[1] };
  const v2 = /^0::(\/[^\n]*)$/m.exec(text);
  return v2 ? { files: V2, path: v2[1] } : undefined;
}

/** The tightest cgroup from this process's up to the root: limit - (usage - inactive page cache). */
function cgroupRoom(): (MemoryRoom['cgroup'] & { room: number }) | undefined {
  const own = ownCgroup();
  if (!own) return undefined;
  let tightest: (MemoryRoom['cgroup'] & { room: number }) | undefined;
  let path = own.path;
  for (;;) {
    const directory = `${own.files.root}${path === '/' ? '' : path}`;
    const limit = limitValue(readKernelFile(`${directory}/${own.files.limit}`));
    const used = Number(readKernelFile(`${directory}/${own.files.usage}`)?.trim());
    if (limit !== undefined && Number.isFinite(limit) && Number.isFinite(used)) {
      const inactive = Number(own.files.inactiveFile.exec(readKernelFile(`${directory}/memory.stat`) ?? '')?.[1] ?? 0);
      const room = Math.max(0, limit - Math.max(0, used - inactive));
      if (!tightest || room < tightest.room) tightest = { path, limit, used, room };
    }
    if (path === '/' || path === '') break;
    path = path.slice(0, path.lastIndexOf('/')) || '/';
  }
  return tightest;
}

/** MemAvailable and the tightest memory cgroup; undefined when neither can be read. */
export function linuxMemoryRoom(): MemoryRoom | undefined {
  const available = procField(readKernelFile('/proc/meminfo'), 'MemAvailable');
  const cgroup = cgroupRoom();
  if (available === undefined && !cgroup) return undefined;
  const room: MemoryRoom = {
    bytes: Math.min(available ?? Number.POSITIVE_INFINITY, cgroup?.room ?? Number.POSITIVE_INFINITY),
  };
  if (available !== undefined) room.available = available;
  if (cgroup) room.cgroup = { path: cgroup.path, limit: cgroup.limit, used: cgroup.used };
  return room;
}
