// hardenProcess({ coreDumps: false }) on Linux, in child processes (it changes the whole process):
// the kernel then reports PR_GET_DUMPABLE 0 and a soft RLIMIT_CORE of 0 with the hard limit kept;
// an abort() leaves no core file where the same child unhardened leaves one (the control), even
// when the soft limit is raised again; a child it starts is dumpable and may raise its limit; and
// another process of the same user can no longer read its memory or attach a debugger, where it
// could before (the control).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hardenProcess, type HardenProcessReport } from '../../src/index.js';
import { lastJson, run } from '../helpers/kernel.js';
import { NOBODY, asNobody, needsRootReason, privilege, siblingTraceSkipReason } from '../helpers/privilege.mjs';

const CHILD = fileURLToPath(new URL('../fixtures/harden-child.mjs', import.meta.url));
const READER = fileURLToPath(new URL('../fixtures/harden-reader.mjs', import.meta.url));
// The holder and its readers share one user without capabilities: nobody where the suite may
// switch users (root), else the user running the suite, who holds none.
const sameUser = needsRootReason ? (command: string[]) => command : asNobody;
const holderUid = needsRootReason ? privilege.uid : NOBODY;
// Where Yama lets no reader of the same user attach, hardened or not, there is no control.
const yamaReason = siblingTraceSkipReason(true);
const ONE_MIB = 1024 * 1024;
// Cores land in the working directory only under a plain core_pattern; a pipe (apport,
// systemd-coredump) or a path elsewhere takes them where this test cannot look, and then neither
// the control nor the hardened cases mean anything.
const corePattern = readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim();
const coreFileSkip =
  corePattern.startsWith('|') || corePattern.includes('/')
    ? ` (skipped: core_pattern is "${corePattern}", so a core does not land in the working directory)`
    : undefined;

interface CoreState {
  dumpable: number;
  coreSoft: string;
  coreHard: string;
}
interface AbortReport {
  before: CoreState;
  after: CoreState;
  result?: HardenProcessReport;
  raised?: boolean;
  grandchild: { before: CoreState; raised: boolean; after: CoreState };
}

let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'memshield-harden-'));
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Runs the child in its own directory with a 1 MiB soft core limit; returns its report and the core files left. */
async function aborted(mode: string): Promise<{ report: AbortReport; signal: string | null; cores: string[] }> {
  const cwd = mkdtempSync(join(scratch, `${mode}-`));
  const child = await run('prlimit', [`--core=${ONE_MIB}:unlimited`, process.execPath, CHILD, mode], { cwd });
  const cores = readdirSync(cwd).filter((name) => name.startsWith('core'));
  rmSync(cwd, { recursive: true, force: true });
  return { report: lastJson<AbortReport>(child), signal: child.signal, cores };
}

describe('hardenProcess({ coreDumps: false }) on Linux', () => {
  const runs: Record<string, Awaited<ReturnType<typeof aborted>>> = {};
  beforeAll(async () => {
    for (const mode of ['abort', 'abort-hardened', 'abort-hardened-raised']) runs[mode] = await aborted(mode);
  });

  it('reports each step as applied, with what the kernel says afterwards', () => {
    const { result } = runs['abort-hardened'].report;
    expect(result).toMatchObject({ platform: 'linux', ok: true });
    expect(result!.steps.map((step) => [step.call, step.outcome])).toEqual([
      ['prctl(PR_SET_DUMPABLE, 0)', 'applied'],
      ['setrlimit(RLIMIT_CORE, { rlim_cur: 0, rlim_max: unchanged })', 'applied'],
    ]);
    expect(result!.steps[0].detail).toMatch(/^PR_GET_DUMPABLE 1 → 0/);
    expect(result!.steps[1].detail).toMatch(/^RLIMIT_CORE soft 1048576 → 0, hard unlimited kept/);
  });

  it('leaves the process not dumpable, with a soft core limit of 0 and the hard limit as it was', () => {
    const { before, after } = runs['abort-hardened'].report;
    expect(before).toEqual({ dumpable: 1, coreSoft: String(ONE_MIB), coreHard: 'unlimited' });
    expect(after).toEqual({ dumpable: 0, coreSoft: '0', coreHard: 'unlimited' });
  });

  it.skipIf(coreFileSkip !== undefined)(
    `control: the same child, not hardened, leaves a core file when it aborts${coreFileSkip ?? ''}`,
    () => {
      expect(runs.abort.signal).toBe('SIGABRT');
      expect(runs.abort.report.after).toEqual({ dumpable: 1, coreSoft: String(ONE_MIB), coreHard: 'unlimited' });
      expect(runs.abort.cores.length).toBe(1);
    },
  );

  it.skipIf(coreFileSkip !== undefined)(`hardened, it aborts without a core file${coreFileSkip ?? ''}`, () => {
    expect(runs['abort-hardened'].signal).toBe('SIGABRT');
    expect(runs['abort-hardened'].cores).toEqual([]);
  });

  it.skipIf(coreFileSkip !== undefined)(
    `hardened, it leaves no core file even when its soft limit is ` +
      `raised again (PR_SET_DUMPABLE 0 alone holds)${coreFileSkip ?? ''}`,
    () => {
      const { report, signal, cores } = runs['abort-hardened-raised'];
      expect(report.raised).toBe(true);
      expect(report.after).toEqual({ dumpable: 0, coreSoft: String(ONE_MIB), coreHard: 'unlimited' });
      expect(signal).toBe('SIGABRT');
      expect(cores).toEqual([]);
    },
  );

  it(
    'does not cripple children: a program it starts is dumpable ' + 'and may raise its soft limit back to the hard one',
    () => {
      expect(runs['abort-hardened'].report.grandchild).toEqual({
        before: { dumpable: 1, coreSoft: '0', coreHard: 'unlimited' },
        raised: true,
        after: { dumpable: 1, coreSoft: 'unlimited', coreHard: 'unlimited' },
      });
    },
  );
});

describe.skipIf(yamaReason !== undefined)(
  `hardenProcess({ coreDumps: false }) against another process of the same user${yamaReason ? ` (${yamaReason})` : ''}`,
  () => {
    /** Starts a holder without capabilities, then reads its marker and attaches gdb to it as the same user. */
    async function probe(mode: 'hold' | 'hold-hardened') {
      const marker = `memshield-marker-${mode}`;
      const [command, ...args] = sameUser([process.execPath, CHILD, mode, marker]);
      const holder = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        const ready = await new Promise<{ pid: number; uid: number; address: string; after: CoreState }>(
          (resolve, reject) => {
            let stdout = '';
            holder.stdout.on('data', (chunk) => {
              stdout += chunk;
              if (stdout.includes('"ready":true')) resolve(JSON.parse(stdout.trim().split('\n').at(-1)!));
            });
            holder.on('close', (status) => reject(new Error(`holder ended (${status})`)));
          },
        );
        const reader = sameUser([process.execPath, READER, String(ready.pid), ready.address, String(marker.length)]);
        const read = await run(reader[0], reader.slice(1));
        const debuggerArgs = sameUser(['gdb', '-batch', '-nx', '-p', String(ready.pid), '-ex', 'detach']);
        const gdb = await run(debuggerArgs[0], debuggerArgs.slice(1));
        return {
          marker,
          ready,
          read: JSON.parse(read.stdout.trim()) as { read?: string; error?: string },
          gdb: `${gdb.stdout}${gdb.stderr}`,
        };
      } finally {
        holder.kill('SIGKILL');
      }
    }

    it(
      'control: unhardened, another process of its user reads ' + 'its memory through /proc/PID/mem and gdb attaches',
      async () => {
        const { marker, ready, read, gdb } = await probe('hold');
        expect(ready.uid).toBe(holderUid);
        expect(read).toEqual({ read: marker });
        expect(gdb).toMatch(/\[Inferior 1 \(process \d+\) detached\]/); // attached, then let go
        expect(gdb).not.toMatch(/Operation not permitted/);
      },
    );

    it('hardened, the same reader gets EACCES and gdb cannot attach (ptrace: Operation not permitted)', async () => {
      const { ready, read, gdb } = await probe('hold-hardened');
      expect(ready.after.dumpable).toBe(0);
      expect(read).toEqual({ error: 'EACCES' });
      expect(gdb).toMatch(/ptrace: Operation not permitted/);
    });
  },
);

describe('hardenProcess arguments', () => {
  it('does nothing without a false option, and refuses what it does not know with INVALID_ARGUMENT', () => {
    expect(hardenProcess({})).toEqual({ platform: process.platform, ok: true, steps: [] });
    expect(hardenProcess({ coreDumps: true })).toEqual({ platform: process.platform, ok: true, steps: [] });
    for (const bad of [undefined, null, 'no', [], { coreDump: false }, { coreDumps: 'false' }, { debuggers: 0 }]) {
      expect(() => hardenProcess(bad as never), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });
});
