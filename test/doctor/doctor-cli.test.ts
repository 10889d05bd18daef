// `memshield doctor`, run as users run it: the built CLI in a child process. Every fact is
// compared with what another tool or the kernel itself reports (getconf, prlimit, strace, /proc,
// /sys), limits are changed to prove they are read and not assumed, and the self-test is run
// both where it passes and where the kernel makes it fail.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { newestSource } from '../helpers/fresh-build.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/report.js';
import { memlockEnforced, skipReasonOf } from '../helpers/privilege.mjs';
import { drawnPages, type DrawnPage } from '../memory-map/drawn-pages.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'memshield.js');
/**
 * A wrapper that runs the rest of a command line without CAP_IPC_LOCK under RLIMIT_MEMLOCK `limit`
 * (nobody, under root).
 */
function unprivileged(limit: number): string[] {
  return (memlockEnforced(limit, []) as { argv: string[] }).argv;
}
/** Why the doctor cannot run unprivileged here (see test/helpers/privilege.mjs), or undefined. */
const unprivilegedSkip = skipReasonOf(memlockEnforced(0, [process.execPath, BIN]));
const unprivilegedNote = unprivilegedSkip ? ` (${unprivilegedSkip})` : '';

/** The report as JSON carries it: bigints become hex strings. */
type Hexed<T> = T extends bigint
  ? string
  : T extends readonly (infer U)[]
    ? Hexed<U>[]
    : T extends object
      ? { [K in keyof T]: Hexed<T[K]> }
      : T;
type JsonReport = Hexed<DoctorReport>;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const CHILD_GUARD_MS = 280_000;

function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): Run {
  // A guard against a hung child, not a speed check: a busy machine (two suites at once on two
  // cores) has taken over a minute for `npx memshield doctor`; spawnSync blocks vitest's own timeout.
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: CHILD_GUARD_MS, ...options });
  if (result.error) throw result.error;
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** `memshield <args>`, optionally behind a wrapper such as prlimit or setpriv. */
function memshield(args: readonly string[], wrapper: readonly string[] = [], options: SpawnSyncOptions = {}): Run {
  const command = [...wrapper, process.execPath, BIN, ...args];
  return run(command[0], command.slice(1), options);
}

function doctorJson(wrapper: readonly string[] = []): { status: number | null; report: JsonReport } {
  const result = memshield(['doctor', '--json'], wrapper);
  expect(result.stderr).toBe('');
  return { status: result.status, report: JSON.parse(result.stdout) as JsonReport };
}

/** A fact the report must have (not "not available"). */
function known<T extends object>(fact: T | { unavailable: string }): T {
  expect(fact).not.toHaveProperty('unavailable');
  return fact as T;
}

/** prlimit's own view of a resource's soft and hard limits, as this process passes them on. */
function prlimitOf(resource: 'memlock' | 'core'): { soft: number | 'unlimited'; hard: number | 'unlimited' } {
  const [soft, hard] = run('prlimit', [`--${resource}`, '--output', 'SOFT,HARD', '--noheadings'])
    .stdout.trim()
    .split(/\s+/);
  const value = (text: string) => (text === 'unlimited' ? 'unlimited' : Number(text));
  return { soft: value(soft), hard: value(hard) };
}

/** Compiles dist/ unless it is newer than every source (`npm test` has just built it). */
function ensureBuilt(): void {
  if (!existsSync(join(ROOT, 'src/generated/core-wasm.ts'))) {
    expect(run('npm', ['run', 'build:core', '--silent']).status).toBe(0);
  }
  const cli = join(ROOT, 'dist/src/cli.js');
  const sourcesTime = Math.max(newestSource(join(ROOT, 'src')), newestSource(join(ROOT, 'host')));
  if (existsSync(cli) && statSync(cli).mtimeMs >= sourcesTime) return;
  const build = run('npm', ['run', 'build:ts', '--silent']);
  // tsc still writes its output on a type error; only errors in the CLI's own files stop us here.
  const ours = `${build.stdout}${build.stderr}`.split('\n').filter((line) => /^src\/(cli|doctor\/)/.test(line));
  expect(ours).toEqual([]);
  expect(existsSync(cli)).toBe(true);
}

beforeAll(ensureBuilt);

describe('memshield doctor --json reports this machine as the kernel and its tools do', () => {
  let report: JsonReport;
  let status: number | null;
  beforeAll(() => ({ report, status } = doctorJson()));

  it('exits 0 and reports the platform it runs on', () => {
    expect(status).toBe(0);
    expect(report.facts.platform).toBe(process.platform);
    expect(report.facts.arch).toBe(process.arch);
    expect(report.facts.kernel).toBe(run('uname', ['-r']).stdout.trim());
  });

  it('reports the page size getconf PAGESIZE reports', () => {
    expect(known(report.facts.pageSize).bytes).toBe(Number(run('getconf', ['PAGESIZE']).stdout));
  });

  it('reports the RLIMIT_MEMLOCK soft and hard limits prlimit reports for a process started the same way', () => {
    const memlock = known(report.facts.memlock);
    expect({ soft: memlock.soft, hard: memlock.hard }).toEqual(prlimitOf('memlock'));
  });

  it('reports the RLIMIT_CORE limits prlimit reports and the core_pattern the kernel holds', () => {
    const core = known(report.facts.coreDumps);
    expect({ soft: core.soft, hard: core.hard }).toEqual(prlimitOf('core'));
    expect(core.pattern).toBe(readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trimEnd());
  });

  it(
    'reads the limits from the kernel: under prlimit ' +
      '--memlock=65536:131072 --core=4096:8192 it reports exactly those',
    () => {
      const limited = doctorJson(['prlimit', '--memlock=65536:131072', '--core=4096:8192']).report;
      expect(known(limited.facts.memlock)).toMatchObject({ soft: 65536, hard: 131072 });
      expect(known(limited.facts.coreDumps)).toMatchObject({ soft: 4096, hard: 8192 });
    },
  );

  it('says mlock ignores the limit exactly when the process has CAP_IPC_LOCK, and nothing is locked at start', () => {
    const capEff = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]}`);
    const memlock = known(report.facts.memlock);
    expect(memlock.ignoresLimit).toBe(((capEff >> 14n) & 1n) === 1n);
    expect(memlock.lockedBytes).toBe(0); // a fresh Node process locks nothing; the self-test comes after
    if (unprivilegedSkip) return; // the other half of this check needs an unprivileged child (see the tests below)
    const withoutCapability = doctorJson(unprivileged(65536)).report;
    expect(known(withoutCapability.facts.memlock).ignoresLimit).toBe(false);
  });

  it('reports the explicit huge pages of /proc/meminfo and the THP mode of /sys', () => {
    const meminfo = readFileSync('/proc/meminfo', 'utf8');
    const field = (key: string) => Number(new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(meminfo)![1]);
    // A kernel built without THP has no such file: the doctor must say so rather than guess.
    const thpFile = '/sys/kernel/mm/transparent_hugepage/enabled';
    const thp = existsSync(thpFile)
      ? /\[(\w+)\]/.exec(readFileSync(thpFile, 'utf8'))![1]
      : `not available (no ${thpFile})`;
    expect(known(report.facts.hugePages)).toEqual({
      total: field('HugePages_Total'),
      free: field('HugePages_Free'),
      pageSize: field('Hugepagesize') * 1024,
      transparentMode: thp,
    });
  });

  it('reports vm.max_map_count and a mapping count of its own process below it', () => {
    const mappings = known(report.facts.mappings);
    expect(mappings.max).toBe(Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8')));
    expect(mappings.count).toBeGreaterThan(0);
    expect(mappings.count).toBeLessThan(mappings.max);
  });

  it('reports what this process can still commit: at most MemTotal, and no more than its MemAvailable figure', () => {
    const memory = known(report.facts.memory);
    const total = Number(/^MemTotal:\s*(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
    expect(memory.available).toBeGreaterThan(0);
    expect(memory.available).toBeLessThanOrEqual(total);
    expect(memory.bytes).toBeLessThanOrEqual(memory.available!);
  });

  it(
    'probes memfd_secret for real and closes the descriptor, and ' +
      'reports PR_GET_DUMPABLE as the kernel answered (strace)',
    () => {
      const trace = join(tmpdir(), `memshield-doctor-strace-${process.pid}.txt`);
      try {
        const traced = memshield(
          ['doctor', '--json'],
          ['strace', '-f', '-qq', '-e', 'trace=memfd_secret,close,prctl', '-o', trace],
        );
        const facts = (JSON.parse(traced.stdout) as JsonReport).facts;
        const log = readFileSync(trace, 'utf8');
        // The host's own probe (linux-secret-memory.ts), which asks for O_CLOEXEC.
        const call = /(?:memfd_secret|syscall_0x1bf)\((?:O_CLOEXEC|0x80000)\)\s*=\s*(-?\d+)(?: (E[A-Z]+))?/.exec(log);
        expect(call, 'strace saw no memfd_secret call').not.toBeNull();
        const memfd = known(facts.memfdSecret);
        if (Number(call![1]) >= 0) {
          expect(memfd).toEqual({ syscall: 447, works: true });
          expect(log.slice(call!.index)).toMatch(new RegExp(`close\\(${call![1]}\\)\\s*=\\s*0`));
        } else {
          expect(memfd).toMatchObject({ syscall: 447, works: false, errnoName: call![2] });
        }
        const dumpable = /prctl\(PR_GET_DUMPABLE\)\s*=\s*(\d+)/.exec(log);
        expect(dumpable, 'strace saw no prctl(PR_GET_DUMPABLE)').not.toBeNull();
        expect(known(facts.coreDumps).dumpable).toBe(Number(dumpable![1]));
      } finally {
        rmSync(trace, { force: true });
      }
    },
  );
});

describe('the self-test of memshield doctor', () => {
  let report: JsonReport;
  let status: number | null;
  beforeAll(() => ({ report, status } = doctorJson()));

  it('passes every step on this machine and exits 0', () => {
    const failed = report.selfTest.steps.filter((step) => !step.ok);
    expect(failed).toEqual([]);
    expect(report.selfTest.ok).toBe(true);
    expect(report.ok).toBe(true);
    expect(status).toBe(0);
    expect(report.selfTest.steps.map((step) => step.name)).toEqual(
      expect.arrayContaining([
        'allocate Secure 32 B',
        'protect ReadOnly',
        'protect NoAccess',
        'protect ReadWrite',
        'write/read 32 B round trip',
        'unlock',
        'lock',
        'secureClear',
        'free',
      ]),
    );
  });

  it('shows for each protection change the permissions smaps reports', () => {
    const kernel = (name: string) => report.selfTest.steps.find((step) => step.name === name)?.kernel;
    expect(kernel('protect ReadOnly')).toBe('r--p lo dd dc');
    expect(kernel('protect NoAccess')).toBe('---p lo dd dc');
    expect(kernel('protect ReadWrite')).toBe('rw-p lo dd dc');
    expect(kernel('unlock')).toBe('rw-p dd dc');
    expect(kernel('free')).toMatch(/^no entry in 0x[0-9a-f]+–0x[0-9a-f]+$/);
  });

  it(
    'reports the region as the kernel mapped it: guards ---p, data pages ' +
      'rw-p locked, not dumped, not forked, data against the trailing guard',
    () => {
      const region = report.selfTest.region!;
      const page = known(report.facts.pageSize).bytes;
      expect(region.guards.map((guard) => guard.kernel!.map((entry) => entry.permissions))).toEqual([
        ['---p'],
        ['---p'],
      ]);
      const [pages] = region.dataPages.kernel!;
      expect(pages.permissions).toBe('rw-p');
      expect(pages.flags).toEqual(expect.arrayContaining(['lo', 'dd', 'dc']));
      expect(pages.lockedBytes).toBe(page);
      expect(BigInt(region.data.address) + BigInt(region.data.length)).toBe(BigInt(region.guards[1].address));
      expect(BigInt(region.data.address) % BigInt(region.align)).toBe(0n);
    },
  );

  it.skipIf(unprivilegedSkip !== undefined)(
    `passes every step in an unprivileged child held to a real memlock limit${unprivilegedNote}`,
    () => {
      const { status, report } = doctorJson(unprivileged(65536));
      expect(report.selfTest.steps.filter((step) => !step.ok)).toEqual([]);
      expect(status).toBe(0);
    },
  );

  it.skipIf(unprivilegedSkip !== undefined)(
    `fails with exit status 1, says why and runs nothing else when the ` +
      `kernel refuses to lock (memlock 0, unprivileged)${unprivilegedNote}`,
    () => {
      const { status, report } = doctorJson(unprivileged(0));
      expect(status).toBe(1);
      expect(report.ok).toBe(false);
      const [allocate, ...rest] = report.selfTest.steps;
      expect(allocate.ok).toBe(false);
      expect(allocate.problems.join('\n')).toMatch(/^LOCK_FAILED: .*mlock failed with EPERM/);
      expect(rest.length).toBeGreaterThan(0);
      expect(rest.every((step) => step.skipped === true && !step.ok)).toBe(true);
      expect(report.selfTest.region).toBeUndefined();
    },
  );
});

describe('what the doctor says SecureBuffer and SecureHeap get', () => {
  it.skipIf(unprivilegedSkip !== undefined)(
    `under memlock 0, unprivileged: memfd_secret works, but no secret ` +
      `can be made, and the locking line says why${unprivilegedNote}`,
    () => {
      const { report } = doctorJson(unprivileged(0));
      expect(report.facts.secretBacking.error?.code).toBe('LOCK_FAILED');
      expect(report.facts.secretBacking.backing).toBeUndefined();
      const text = memshield(['doctor'], unprivileged(0)).stdout;
      expect(text).toMatch(
        new RegExp(
          'locked memory +RLIMIT_MEMLOCK soft 0 B.*\\n +no room for one more locked page: ' +
            'Secure regions, SecureBuffer and SecureHeap fail with LOCK_FAILED',
        ),
      );
      expect(text).toMatch(
        new RegExp(
          'secrets now +SecureBuffer and SecureHeap cannot allocate here: ' +
            'SecureBuffer\\.alloc\\(32\\) failed with LOCK_FAILED',
        ),
      );
      expect(text).not.toContain('keep secrets in');
    },
  );

  it.runIf(process.getuid?.() === 0)(
    'under memlock 0 with CAP_IPC_LOCK (root): the limit does not bind, a secret is made, and the doctor says so',
    () => {
      const { report } = doctorJson(['prlimit', '--memlock=0:0']);
      expect(known(report.facts.memlock)).toMatchObject({ soft: 0, ignoresLimit: true });
      expect(report.facts.secretBacking.error).toBeUndefined();
      expect(report.facts.secretBacking.locked).toBe(true);
      const text = memshield(['doctor'], ['prlimit', '--memlock=0:0']).stdout;
      expect(text).toContain('CAP_IPC_LOCK in effect: mlock ignores the limit');
      expect(text).not.toContain('no room for one more locked page');
    },
  );

  it.skipIf(unprivilegedSkip !== undefined)(
    `with room to lock (the control): a secret was made, in secret ` +
      `memory exactly when memfd_secret works${unprivilegedNote}`,
    () => {
      const { report } = doctorJson(unprivileged(65536));
      const memfd = known(report.facts.memfdSecret);
      expect(report.facts.secretBacking.error).toBeUndefined();
      expect(report.facts.secretBacking).toMatchObject({
        policy: 'preferred',
        source: 'built-in',
        backing: memfd.works ? 'secret-memory' : 'anonymous',
        locked: true,
      });
    },
  );

  it('follows MEMSHIELD_SECRET_MEMORY=off, and names it as the source', () => {
    const result = memshield(['doctor'], [], { env: { ...process.env, MEMSHIELD_SECRET_MEMORY: 'off' } });
    expect(result.stdout).toMatch(
      new RegExp(
        'secrets now +SecureBuffer and SecureHeap keep secrets in ordinary locked pages: ' +
          ".*secretMemory 'off' \\(set by MEMSHIELD_SECRET_MEMORY\\)",
      ),
    );
  });

  it('says whether this machine can hibernate, as /sys/power/state and /sys/power/disk say', () => {
    const { report } = doctorJson();
    const hibernation = known(report.facts.hibernation);
    const states = readFileSync('/sys/power/state', 'utf8').trim().split(/\s+/).filter(Boolean);
    expect(hibernation.states).toEqual(states);
    const disk = existsSync('/sys/power/disk') ? readFileSync('/sys/power/disk', 'utf8').trim() : undefined;
    expect(hibernation.diskModes).toBe(disk);
    expect(hibernation.canHibernate).toBe(
      states.includes('disk') && disk !== undefined && !disk.includes('[disabled]'),
    );
    const text = memshield(['doctor']).stdout;
    expect(text).toMatch(
      hibernation.canHibernate ? /hibernation +can hibernate/ : /hibernation +cannot hibernate anyway/,
    );
    if (report.facts.secretBacking.backing === 'secret-memory')
      expect(text).toMatch(/refuses to hibernate while any secret memory is in use/);
  });
});

describe('the text report of memshield doctor', () => {
  let text: Run;
  beforeAll(() => (text = memshield(['doctor'])));

  it('marks every step ✓ and none ✗, and exits 0', () => {
    expect(text.status).toBe(0);
    const steps = text.stdout.split('\n').filter((line) => /^ {2}[✓✗–] /.test(line));
    expect(steps.length).toBeGreaterThanOrEqual(10);
    expect(steps.every((line) => line.startsWith('  ✓ '))).toBe(true);
    expect(text.stdout).toContain(`All ${steps.length} steps ✓`);
    expect(text.stdout).toMatch(/✓ protect ReadOnly — smaps: r--p lo dd dc/);
  });

  it('draws the region: boundaries one page apart, guard | data pages | guard, and free names the same range', () => {
    const lines = text.stdout.split('\n');
    const top = lines.findIndex((line) => line.includes('┌'));
    expect(top).toBeGreaterThan(0);
    const boundaries = [...lines[top - 1].matchAll(/0x[0-9a-f]+/g)].map((match) => BigInt(match[0]));
    expect(boundaries).toHaveLength(4);
    const page = BigInt(Number(run('getconf', ['PAGESIZE']).stdout));
    expect(boundaries.slice(1).map((address, i) => address - boundaries[i])).toEqual([page, page, page]);
    expect(lines[top + 1]).toMatch(/│ guard .*│ data pages .*│ guard .*│/);
    expect(lines[top + 2]).toMatch(/│ ---p .*│ rw-p lo dd dc .*│ ---p .*│/);
    expect(lines[top + 3]).toContain('└');
    const freed = /✓ free — smaps: no entry in (0x[0-9a-f]+)–(0x[0-9a-f]+)/.exec(text.stdout);
    expect(freed?.slice(1).map(BigInt)).toEqual([boundaries[0], boundaries[3]]);
  });

  it('has no color when stdout is not a terminal', () => {
    expect(text.stdout).not.toContain('\x1b[');
  });

  it('colors on a terminal, and not when NO_COLOR is set', () => {
    const onTerminal = (env: NodeJS.ProcessEnv) =>
      run('script', ['-qec', `${process.execPath} bin/memshield.js doctor`, '/dev/null'], { env });
    const colored = onTerminal({ ...process.env, NO_COLOR: '' });
    expect(colored.status).toBe(0);
    expect(colored.stdout).toContain('\x1b[32m✓\x1b[39m');
    const plain = onTerminal({ ...process.env, NO_COLOR: '1' });
    expect(plain.stdout).toContain('✓');
    expect(plain.stdout).not.toContain('\x1b[');
  });
});

describe('memshield usage', () => {
  it.each([['--help'], ['-h'], ['doctor', '--help']])('prints the usage on stdout for %s and exits 0', (...args) => {
    const result = memshield(args);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: memshield <command>/);
    expect(result.stdout).toContain('doctor');
    expect(result.stderr).toBe('');
  });

  it.each([['--version'], ['-v']])('prints the version of package.json for %s, and nothing else', (flag) => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = memshield([flag]);
    expect(result).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each([
    [[], 'no command given'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['doctor', '--yaml'], 'unknown option "--yaml" for doctor'],
  ])('for %j says %s, prints the usage on stderr, runs nothing and exits 2', (args, problem) => {
    const result = memshield(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`memshield: ${problem}`);
    expect(result.stderr).toContain('Usage: memshield <command>');
    expect(result.stdout).toBe('');
  });

  it(
    'runs as npx memshield doctor, through the package bin',
    () => {
      const result = run('npx', ['--offline', 'memshield', 'doctor', '--json']);
      expect(result.status).toBe(0);
      expect((JSON.parse(result.stdout) as JsonReport).ok).toBe(true);
    },
    CHILD_GUARD_MS + 20_000,
  );
});

/** Where the drawn pages differ from the JSON report's region (inspect() with smaps entries). */
function mapDisagreements(pages: readonly DrawnPage[], region: JsonReport['selfTest']['region'] & object): string[] {
  const problems: string[] = [];
  const start = BigInt(region.mapping.address);
  const count = region.mapping.length / region.pageSize;
  if (pages.length !== count) problems.push(`${pages.length} pages drawn; the mapping has ${count}`);
  const dataStart = BigInt(region.dataPages.address);
  const dataEnd = dataStart + BigInt(region.dataPages.length);
  pages.forEach((page, i) => {
    const address = start + BigInt(i * region.pageSize);
    if (page.address !== address)
      problems.push(`page ${i} drawn at 0x${page.address.toString(16)}; expected 0x${address.toString(16)}`);
    const guard = address < dataStart || address >= dataEnd;
    if ((page.role === 'guard') !== guard) problems.push(`page ${i} drawn as ${page.role}`);
    const entry = region.mapping.kernel!.find((range) => BigInt(range.start) <= address && BigInt(range.end) > address);
    if (!entry) {
      problems.push(`page ${i} has no smaps entry`);
      return;
    }
    if (page.permissions !== entry.permissions)
      problems.push(`page ${i} drawn ${page.permissions}; smaps says ${entry.permissions}`);
    for (const [flag, drawn] of [
      ['lo', page.locked],
      ['dd', page.dumpExcluded],
      ['dc', page.forkExcluded],
    ] as const) {
      if (entry.flags.includes(flag) !== drawn)
        problems.push(`page ${i} drawn ${drawn ? 'with' : 'without'} ${flag}; smaps disagrees`);
    }
  });
  return problems;
}

describe('memshield doctor --svg', () => {
  it(
    'writes a memory map whose drawn pages match inspect() ' + 'and its smaps view (control: a changed page is caught)',
    () => {
      const path = join(tmpdir(), `memshield-doctor-${process.pid}.svg`);
      try {
        const result = memshield(['doctor', '--json', '--svg', path]);
        expect(result.stderr).toBe('');
        const report = JSON.parse(result.stdout) as JsonReport;
        const region = report.selfTest.region!;
        const pages = drawnPages(readFileSync(path, 'utf8'));
        expect(pages.length).toBeGreaterThanOrEqual(3);
        expect(mapDisagreements(pages, region)).toEqual([]);
        // Control: the same comparison finds a page whose drawn protection is not the kernel's.
        const changed = pages.map((page, i) =>
          i === 1 ? { ...page, permissions: '---p', locked: !page.locked } : page,
        );
        expect(mapDisagreements(changed, region)).toHaveLength(2);
      } finally {
        rmSync(path, { force: true });
      }
    },
  );

  it('without a path is a usage error', () => {
    const result = memshield(['doctor', '--svg']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--svg needs the path/);
  });
});
