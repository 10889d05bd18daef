// The syscall audit: runs each case's operations under strace — memshield and sodium-native in a
// node child, the floor in its C child — and counts the memory system calls per operation
// between marker stat() calls. It shows that the floor issues the same calls as memshield, and
// checks targets such as "protect to the current level makes no system call".
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./audit-child.mjs', import.meta.url));
const MARK_ROOT = '/memshield-bench-mark'; // also in audit-child.mjs and floor.c
// Memory management calls, and the stat calls the markers make.
const MEMORY_CALLS = ['mmap', 'munmap', 'mprotect', 'madvise', 'mlock', 'mlock2', 'munlock', 'mremap', 'brk'];
const TRACE = `trace=${[...MEMORY_CALLS, 'statx', 'newfstatat', 'stat'].join(',')}`;

/** True if strace can trace here (it needs ptrace; containers may forbid it). */
export function straceAvailable() {
  const probe = spawnSync('strace', ['-qq', '-e', 'trace=none', 'true'], { stdio: 'ignore' });
  return probe.status === 0;
}

/** strace arguments; seccomp-bpf stops only on traced calls (much faster), where supported. */
function straceArgs(output) {
  const args = ['-f', '-qq', '-o', output, '-e', TRACE];
  const seccomp = spawnSync('strace', ['-f', '--seccomp-bpf', '-qq', '-e', 'trace=none', 'true'], { stdio: 'ignore' });
  return seccomp.status === 0 ? ['--seccomp-bpf', ...args] : args;
}

/**
 * Counts memory syscalls per marked section. `label(n)` names the n-th section (floor markers
 * carry no name; node's carry `<id>/<side>` in the path). Only the marking thread's calls count.
 * @returns {Map<string, Record<string, number>>}
 */
export function countSections(traceText, label) {
  const sections = new Map();
  let open; // { pid, name, counts }
  let index = 0;
  for (const line of traceText.split('\n')) {
    const match = /^(\d+)\s+(\w+)\((.*)/.exec(line);
    if (!match) continue; // "<... resumed>" lines: the call was counted where it started
    const [, pid, call, rest] = match;
    const at = rest.indexOf(`"${MARK_ROOT}/`);
    const marker = at >= 0 ? rest.slice(at + MARK_ROOT.length + 2).split('"')[0] : undefined;
    if (marker?.startsWith('begin')) {
      open = { pid, name: label(index++, marker.slice('begin/'.length)), counts: {} };
    } else if (marker?.startsWith('end') && open?.pid === pid) {
      sections.set(open.name, open.counts);
      open = undefined;
    } else if (open && pid === open.pid && MEMORY_CALLS.includes(call)) {
      open.counts[call] = (open.counts[call] ?? 0) + 1;
    }
  }
  return sections;
}

/**
 * The quietest of a side's repeated sections (audit-child.mjs traces each REPEATS times): the
 * operation's own calls are the same every time, while the runtime's own memory work on the same
 * thread — V8 or the C allocator returning pages, more often under load — only ever adds calls.
 * Counting one section made the audit fail now and then on a busy machine (Node 24, full suite).
 */
function quietest(sections, key) {
  let best;
  for (const [name, counts] of sections) {
    if (!name.startsWith(`${key}#`)) continue;
    const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
    if (!best || total < best.total) best = { counts, total };
  }
  return best?.counts;
}

function perOperation(counts, iterations) {
  const calls = {};
  let total = 0;
  for (const [name, count] of Object.entries(counts ?? {})) {
    calls[name] = Math.round((count / iterations) * 100) / 100;
    total += count;
  }
  return { calls, total: Math.round((total / iterations) * 100) / 100 };
}

/**
 * Audits the timed cases. Resolves to { [caseId]: { memshield, floor?, sodium?, hostCalls } },
 * each side as { calls: { mprotect: 2, … }, total } per operation.
 */
export async function auditSyscalls({ cases, floorBinary, iterations, extraFiles }) {
  const dir = mkdtempSync(`${tmpdir()}/memshield-bench-audit-`);
  try {
    const timed = cases.filter((kase) => kase.kind !== 'count');
    // memshield and sodium-native, in one node child.
    const nodeTrace = `${dir}/node.trace`;
    const config = JSON.stringify({ ids: timed.map((kase) => kase.id), iterations, extraFiles });
    // A young generation large enough that no scavenge (and no page V8 maps for it) falls inside a section.
    const node = [process.execPath, '--expose-gc', '--min-semi-space-size=16', CHILD, config];
    const child = spawnSync('strace', [...straceArgs(nodeTrace), ...node], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (child.status !== 0)
      throw new Error(`audit child failed (${child.status}): ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const hostCalls = JSON.parse(child.stdout);
    const nodeSections = countSections(readFileSync(nodeTrace, 'utf8'), (_, name) => name);

    // The floor, in its own child, the same cases in order.
    // a JS floor ({ js }) has no C side
    const withFloor = timed.filter((kase) => kase.floor?.name && hostCalls[kase.id]);
    const floorTrace = `${dir}/floor.trace`;
    const floor = spawn('strace', [...straceArgs(floorTrace), floorBinary], { stdio: ['pipe', 'pipe', 'inherit'] });
    const output = [];
    floor.stdout.on('data', (chunk) => output.push(chunk));
    const exited = new Promise((resolve) => floor.on('exit', resolve));
    for (const kase of withFloor) floor.stdin.write(`trace ${kase.floor.name} ${kase.floor.bytes} ${iterations}\n`);
    floor.stdin.end('quit\n');
    await exited;
    const answers = Buffer.concat(output).toString().trim().split('\n');
    const failed = answers.find((line) => !line.startsWith('ok'));
    if (failed) throw new Error(`floor under strace: ${failed}`);
    const floorSections = countSections(readFileSync(floorTrace, 'utf8'), (n) => withFloor[n]?.id);

    const result = {};
    for (const kase of timed) {
      if (!hostCalls[kase.id]) continue; // skipped on this machine
      result[kase.id] = {
        memshield: perOperation(quietest(nodeSections, `${kase.id}/memshield`), iterations),
        hostCalls: hostCalls[kase.id],
      };
      const sodium = quietest(nodeSections, `${kase.id}/sodium`);
      if (sodium) result[kase.id].sodium = perOperation(sodium, iterations);
      if (floorSections.has(kase.id)) result[kase.id].floor = perOperation(floorSections.get(kase.id), iterations);
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
