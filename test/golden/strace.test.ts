// The golden traces checked against the real kernel once: a child plays the golden scenarios on
// the Linux host under strace, and the memory system calls it made on each scenario's mapping,
// between two markers, must be exactly those the simulated host's trace predicts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as testing from '../../src/testing.js';
import { betweenMarkers, lastJson, parseStrace, run, type Syscall } from '../helpers/kernel.js';
import { expectFreshBuild } from '../helpers/fresh-build.js';
import { simulatedTrace, type Scenario } from './simulated-trace.js';
// @ts-expect-error: plain JavaScript, shared with the strace child
import { goldenScenarios } from './scenarios.mjs';

const child = fileURLToPath(new URL('./strace-child.mjs', import.meta.url));

const PROT: Record<string, string> = {
  NoAccess: 'PROT_NONE',
  ReadOnly: 'PROT_READ',
  ReadWrite: 'PROT_READ|PROT_WRITE',
  Execute: 'PROT_EXEC',
  ReadExecute: 'PROT_READ|PROT_EXEC',
  ReadWriteExecute: 'PROT_READ|PROT_WRITE|PROT_EXEC',
};
const MADV: Record<string, string> = {
  DontDump: 'MADV_DONTDUMP',
  DontFork: 'MADV_DONTFORK',
  HugePage: 'MADV_HUGEPAGE',
};

interface Report {
  index: number;
  name: string;
  address: string;
  length: number;
}
interface ChildReport {
  reports: Report[];
  capabilities: testing.HostCapabilities;
  pageSize: number;
}

/** The system calls a simulated trace stands for on Linux (copies and fills make none). */
function expectedSyscalls(trace: testing.TraceEntry[], mappingLength: number, pageSize: number): string[] {
  const calls: string[] = [];
  for (const entry of trace) {
    switch (entry.op) {
      case 'map': {
        // The Linux host over-maps by the alignment when it is above the page, then trims.
        const extra = !entry.flags && entry.alignment > pageSize ? entry.alignment : 0;
        calls.push(`mmap(${entry.length + extra}, ${PROT[entry.protection]}${entry.flags ? ', MAP_HUGETLB' : ''})`);
        break;
      }
      case 'unmap':
        calls.push(`munmap(+0, ${mappingLength})`);
        break;
      case 'protect':
        calls.push(`mprotect(+${entry.offset}, ${entry.length}, ${PROT[entry.protection]})`);
        break;
      case 'lock':
        calls.push(`mlock(+${entry.offset}, ${entry.length})`);
        break;
      case 'unlock':
        calls.push(`munlock(+${entry.offset}, ${entry.length})`);
        break;
      case 'advise':
        calls.push(`madvise(+${entry.offset}, ${entry.length}, ${MADV[entry.advice]})`);
        break;
      default:
        break;
    }
  }
  return calls;
}

/**
 * The calls of a window that touch the scenario's mapping, in the same notation; munmap calls
 * that trim an over-mapping (inside what mmap returned, outside the final mapping) are counted apart.
 */
function observedSyscalls(window: Syscall[], report: Report): { calls: string[]; trims: number; failed: string[] } {
  const address = BigInt(report.address);
  let low = address;
  let high = address + BigInt(report.length);
  const calls: string[] = [];
  const failed: string[] = [];
  let trims = 0;
  for (const call of window) {
    const args = call.args.split(',').map((arg) => arg.trim());
    if (call.name === 'mmap') {
      if (!/^0x[0-9a-f]+$/.test(call.result)) continue;
      const base = BigInt(call.result);
      const length = BigInt(args[1]);
      if (!(base <= address && address < base + length)) continue; // V8's, not ours
      [low, high] = [base, base + length];
      calls.push(`mmap(${args[1]}, ${args[2]}${args[3].includes('MAP_HUGETLB') ? ', MAP_HUGETLB' : ''})`);
      continue;
    }
    if (!/^0x[0-9a-f]+$/.test(args[0] ?? '')) continue;
    const at = BigInt(args[0]);
    if (at < low || at >= high) continue; // not this mapping
    if (call.result !== '0') failed.push(`${call.name}(${call.args}) = ${call.result}`);
    if (call.name === 'munmap' && (at < address || at >= address + BigInt(report.length))) {
      trims++;
      continue;
    }
    const offset = `+${at - address}`;
    calls.push(`${call.name}(${[offset, ...args.slice(1)].join(', ')})`);
  }
  return { calls, trims, failed };
}

describe.runIf(process.platform === 'linux')('the golden traces, against the kernel (strace)', () => {
  let calls: Syscall[] = [];
  let report: ChildReport;
  let scratch = '';

  beforeAll(async () => {
    expectFreshBuild();
    scratch = mkdtempSync(join(tmpdir(), 'memshield-golden-strace-'));
    const log = join(scratch, 'strace.log');
    const result = await run('strace', [
      '-f',
      '--seccomp-bpf',
      '-e',
      'trace=%memory,access,faccessat,faccessat2',
      '-o',
      log,
      process.execPath,
      child,
    ]);
    if (result.status !== 0)
      throw new Error(`the traced child failed (${result.status} ${result.signal}): ${result.stderr}`);
    report = lastJson<ChildReport>(result);
    calls = parseStrace(readFileSync(log, 'utf8'));
  });

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const scenarios = goldenScenarios() as Scenario[];
  const onLinux = scenarios
    .map((scenario, index) => ({ scenario, index }))
    .filter(({ scenario }) => !scenario.hostOptions);

  it('ran every scenario that needs no simulated fault', () => {
    expect(report.reports.map((entry) => entry.name)).toEqual(onLinux.map(({ scenario }) => scenario.name));
  });

  for (const { scenario, index } of onLinux) {
    it(`${scenario.name}: the kernel saw exactly the predicted memory system calls`, () => {
      const entry = report.reports.find((candidate) => candidate.index === index)!;
      // Predicted with this machine's capabilities (e.g. explicit huge pages, if reserved).
      const trace = simulatedTrace(scenario, { pageSize: report.pageSize, capabilities: report.capabilities });
      const observed = observedSyscalls(betweenMarkers(calls, `begin-${index}`, `end-${index}`), entry);
      expect(observed.failed).toEqual([]);
      expect(observed.calls).toEqual(expectedSyscalls(trace, entry.length, report.pageSize));
      const overMapped = trace.some((call) => call.op === 'map' && !call.flags && call.alignment > report.pageSize);
      if (!overMapped) expect(observed.trims).toBe(0);
      else expect(observed.trims).toBeGreaterThanOrEqual(1); // the tail at least (the head only if unaligned)
    });
  }

  it(
    'sees the calls it must: a Secure allocation shows mmap, ' + 'madvise (dump), mprotect, madvise (fork) and mlock',
    () => {
      const index = scenarios.findIndex((scenario) => scenario.name === 'Secure: allocate');
      const entry = report.reports.find((candidate) => candidate.index === index)!;
      const observed = observedSyscalls(betweenMarkers(calls, `begin-${index}`, `end-${index}`), entry);
      expect(observed.calls.map((call) => call.slice(0, call.indexOf('(')))).toEqual([
        'mmap',
        'madvise',
        'mprotect',
        'madvise',
        'mlock',
      ]);
    },
  );
});
