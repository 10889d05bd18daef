// The kernel's own account of this process, read without memshield's help: /proc/self/smaps,
// /proc/self/maps and /proc/self/status, plus child processes and strace logs. Tests compare
// what memshield says (inspect) with what these return.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One /proc/self/smaps entry (a VMA). */
export interface SmapsEntry {
  start: bigint;
  end: bigint;
  /** As the kernel prints them: `rw-p`, `---p`, `r-xp`, … */
  perms: string;
  /** The backing file or `[heap]`-style name; '' for anonymous memory. */
  path: string;
  /** VmFlags: `lo` locked, `dd` MADV_DONTDUMP, `dc` MADV_DONTFORK, `hg` MADV_HUGEPAGE, `ht` hugetlb. */
  flags: Set<string>;
  /** `Locked:` in bytes. */
  lockedBytes: number;
  /** `KernelPageSize:` in bytes. */
  kernelPageSize: number;
}

/** The smaps perms each protection level must produce (a private mapping: `p`). */
export { SMAPS_PERMISSIONS as PERMS } from '../../host/smaps.js';

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s*(.*)$/;

/** Parses /proc/self/smaps (or a given text) into entries. */
export function readSmaps(text = readFileSync('/proc/self/smaps', 'utf8')): SmapsEntry[] {
  const entries: SmapsEntry[] = [];
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line);
    if (header) {
      entries.push({
        start: BigInt(`0x${header[1]}`),
        end: BigInt(`0x${header[2]}`),
        perms: header[3],
        path: header[4].trim(),
        flags: new Set(),
        lockedBytes: 0,
        kernelPageSize: 0,
      });
      continue;
    }
    const entry = entries.at(-1);
    const field = /^(\w+):\s+(.*)$/.exec(line);
    if (!entry || !field) continue;
    if (field[1] === 'VmFlags') entry.flags = new Set(field[2].trim().split(/\s+/));
    else if (field[1] === 'Locked') entry.lockedBytes = Number.parseInt(field[2], 10) * 1024;
    else if (field[1] === 'KernelPageSize') entry.kernelPageSize = Number.parseInt(field[2], 10) * 1024;
  }
  return entries;
}

/**
 * /proc/self/maps as entries (no flags or sizes): much faster to produce than smaps, so the
 * right reader for "is this range still mapped?" right after an munmap, before another thread
 * can map the freed addresses again.
 */
export function readMaps(): SmapsEntry[] {
  return readSmaps(readFileSync('/proc/self/maps', 'utf8'));
}

/** The entries overlapping [address, address + length), in address order. */
export function overlapping(entries: SmapsEntry[], address: bigint, length: number): SmapsEntry[] {
  const end = address + BigInt(length);
  return entries.filter((entry) => entry.start < end && entry.end > address);
}

/** The entry holding `address`, if it is mapped. */
export function entryAt(entries: SmapsEntry[], address: bigint): SmapsEntry | undefined {
  return entries.find((entry) => entry.start <= address && address < entry.end);
}

/** Anonymous entries carrying VmFlags `dd` (MADV_DONTDUMP): Node itself makes none, Secure regions do. */
export function dontDumpEntries(entries: SmapsEntry[] = readSmaps()): SmapsEntry[] {
  return entries.filter((entry) => entry.path === '' && entry.flags.has('dd'));
}

/** The number of mappings (lines of /proc/self/maps). */
export function mapsLineCount(): number {
  return readFileSync('/proc/self/maps', 'utf8').split('\n').filter(Boolean).length;
}

/** `VmLck` of /proc/self/status in bytes: what this process has locked in RAM. */
export function vmLockedBytes(): number {
  return Number(/^VmLck:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
}

/** What a LargePage allocation must get on this machine, from /proc/meminfo and the THP mode. */
export function expectedLargePages(): { pageKind: 'explicit-huge' | 'transparent-huge' | 'normal'; pageSize: number } {
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const hugePageSize = Number(/^Hugepagesize:\s+(\d+) kB/m.exec(meminfo)![1]) * 1024;
  const free = Number(/^HugePages_Free:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  let thp = 'never';
  try {
    thp = /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))![1];
  } catch {
    /* no THP support in this kernel */
  }
  if (free > 0) return { pageKind: 'explicit-huge', pageSize: hugePageSize };
  if (thp === 'always' || thp === 'madvise') return { pageKind: 'transparent-huge', pageSize: hugePageSize };
  return { pageKind: 'normal', pageSize: 4096 };
}

/** How a child process ended. */
export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `command args…` to its end (asynchronously, so children can run side by side). */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** The last line of a child's stdout, parsed as JSON (fixtures report that way). */
export function lastJson<T>(result: ChildResult): T {
  const line = result.stdout.trim().split('\n').at(-1);
  if (!line)
    throw new Error(`the child printed nothing (status ${result.status}, signal ${result.signal}): ${result.stderr}`);
  return JSON.parse(line) as T;
}

/** One system call in an strace log. */
export interface Syscall {
  pid: number;
  name: string;
  /** The argument text, e.g. `0x7f00c0000000, 4096, PROT_READ`. */
  args: string;
  /** The return text, e.g. `0`, `0x7f00c0000000`, `-1 ENOMEM (Cannot allocate memory)`. */
  result: string;
}

/**
 * Parses an `strace -f -o FILE` log; calls that other threads interrupted (`<unfinished ...>` …
 * `<... mmap resumed>`) are joined back together.
 */
export function parseStrace(text: string): Syscall[] {
  const calls: Syscall[] = [];
  const pending = new Map<number, string>();
  for (const raw of text.split('\n')) {
    const pidMatch = /^(\d+)\s+(.*)$/.exec(raw);
    if (!pidMatch) continue;
    const pid = Number(pidMatch[1]);
    let line = pidMatch[2];
    if (line.endsWith('<unfinished ...>')) {
      pending.set(pid, line.slice(0, -'<unfinished ...>'.length).trimEnd());
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(line);
    if (resumed) {
      line = (pending.get(pid) ?? '') + resumed[1];
      pending.delete(pid);
    }
    const call = /^(\w+)\((.*)\)\s+=\s+(.*)$/.exec(line);
    if (call) calls.push({ pid, name: call[1], args: call[2], result: call[3] });
  }
  return calls;
}

/**
 * The calls between two markers a fixture made with `existsSync('/memshield-marker/NAME')`
 * (an access/faccessat call that strace records with its path).
 */
export function betweenMarkers(calls: Syscall[], begin: string, end: string): Syscall[] {
  const at = (name: string) => calls.findIndex((call) => call.args.includes(`"/memshield-marker/${name}"`));
  const from = at(begin);
  const to = at(end);
  if (from < 0 || to < from) throw new Error(`markers ${begin}…${end} not found in the strace log`);
  return calls.slice(from + 1, to);
}

/** The first argument of a call as an address (mprotect, mlock, munmap, madvise); undefined for `NULL`. */
export function addressArgument(call: Syscall): bigint | undefined {
  const first = call.args.split(',')[0].trim();
  return /^(0x[0-9a-f]+|\d+)$/.test(first) ? BigInt(first) : undefined;
}
