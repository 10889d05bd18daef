// Every public entry point, called with random JavaScript values (fast-check's anything() and its
// friends: numbers of every kind, strings, bigints, byte arrays, objects, functions, and the
// valid-looking constants next to bad ones), in a child (test/fixtures/fuzz-public-api.mjs) run
// unprivileged with small RLIMIT_MEMLOCK and RLIMIT_AS limits, so that a value that happens to be
// a valid huge size is refused by the kernel at once. Only a MemoryProtectionError with a known
// code, or a TypeError/RangeError, each with a message, may come out; the child never crashes; a
// refused call leaves the live region, SecureBuffer and SecureHeap it could touch exactly as they
// were — bytes, protection, lock, the kernel's mappings and VmLck. Every entry point also gets
// each hostile shape (Proxy, revoked Proxy, throwing getters, forged and foreign Regions, detached,
// resizable and shared buffers, lying byteLength, subclass…) in each argument; a second child runs
// it all again with Object.prototype polluted by every option name.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';
import { memlockChildUid, memlockEnforced, skipReasonOf } from '../helpers/privilege.mjs';

const FIXTURE = fileURLToPath(new URL('../fixtures/fuzz-public-api.mjs', import.meta.url));
const SEED = Number(process.env.MEMSHIELD_FUZZ_SEED ?? 20261127);
const RUNS = Number(process.env.MEMSHIELD_FUZZ_RUNS ?? 200);
// V8 then reserves only what Wasm memories may use, so the process fits in 4 GiB of address space.
const V8_FLAGS = ['--disable-wasm-trap-handler', '--wasm-max-mem-pages=1024'];

/** The hostile shapes the fixture makes (its HOSTILE table). */
const SHAPES = [
  'Proxy around a Uint8Array',
  'Proxy whose traps throw',
  'revoked Proxy',
  'revoked function Proxy',
  'throwing getters',
  'forged Region',
  'Region of another PlatformMemory',
  'Symbol',
  'BigInt',
  'detached buffer view',
  'resizable buffer view',
  'SharedArrayBuffer view',
  'lying byteLength',
  'subclass with lying getters',
];

interface Tally {
  runs: number;
  calls: number;
  sweep: number;
  valid: number;
  refused: Record<string, number>;
  unacceptable: string[];
  changedWhenRefused: string[];
}
interface FuzzReport {
  uid: number;
  seed: number;
  runs: number;
  mode: string;
  inherited: string[];
  shapes: Record<string, number>;
  results: Record<string, Tally>;
}

// The default 8 MiB of memlock, enforced (the child lacks CAP_IPC_LOCK), and 4 GiB of address space.
const MEMLOCK = 8 * 1024 * 1024;
const AS_LIMIT = ['--as=4294967296:4294967296'];
const enforced = memlockEnforced(MEMLOCK, [process.execPath, ...V8_FLAGS, FIXTURE], AS_LIMIT);
const skip = skipReasonOf(enforced);

async function fuzz(mode: string, runs: number) {
  const { argv } = memlockEnforced(
    MEMLOCK,
    [process.execPath, ...V8_FLAGS, FIXTURE, String(SEED), String(runs), mode],
    AS_LIMIT,
  ) as { argv: string[] };
  const child = await run(argv[0], argv.slice(1));
  return {
    exit: { status: child.status, signal: child.signal, stderr: child.stderr },
    report: lastJson<FuzzReport>(child),
  };
}

let report: FuzzReport;
let exit: { status: number | null; signal: string | null; stderr: string };
let polluted: Awaited<ReturnType<typeof fuzz>>;
beforeAll(async () => {
  if (skip) return;
  [{ report, exit }, polluted] = await Promise.all([fuzz('plain', RUNS), fuzz('polluted', Math.ceil(RUNS / 4))]);
}, 300_000);

describe.skipIf(skip !== undefined)(
  `fuzzing every public entry point (fast-check seed ${SEED}, ` +
    `${RUNS} runs each; MEMSHIELD_FUZZ_SEED/RUNS change them)${skip ? ` (${skip})` : ''}`,
  () => {
    it('handed out every hostile shape, in every argument of every entry point', () => {
      for (const shape of SHAPES) expect(report.shapes[shape], shape).toBeGreaterThan(0);
      expect(Object.keys(report.shapes).sort()).toEqual([...SHAPES].sort());
      for (const [name, tally] of Object.entries(report.results)) {
        const arity = tally.sweep / SHAPES.length;
        expect(Number.isInteger(arity), name).toBe(true);
      }
      expect(report.results['PlatformMemory.write'].sweep).toBe(SHAPES.length * 4);
    });

    it('never crashed: the child ran every entry point and exited normally, unprivileged', () => {
      expect(exit, exit.stderr).toMatchObject({ status: 0, signal: null });
      expect(report.uid).toBe(memlockChildUid);
      expect(Object.keys(report.results).length).toBeGreaterThanOrEqual(30);
      for (const [name, tally] of Object.entries(report.results)) expect(tally.calls, name).toBe(tally.runs);
      expect(report.results['PlatformMemory.allocate'].runs).toBe(RUNS); // entries that take values run RUNS times
    });

    it('let out only MemoryProtectionError (a known code) or TypeError/RangeError, each with a message', () => {
      const unacceptable = Object.entries(report.results).flatMap(([name, tally]) =>
        tally.unacceptable.map((error) => `${name}: ${error}`),
      );
      expect(unacceptable).toEqual([]);
    });

    it('in fact refused with MemoryProtectionError every time: no TypeError escaped from a check or a message', () => {
      const typeErrors = Object.entries(report.results)
        .filter(([, tally]) => tally.refused.TypeError || tally.refused.RangeError)
        .map(([name]) => name);
      expect(typeErrors).toEqual([]);
    });

    it('left the probes exactly as they were whenever it refused a call', () => {
      const changed = Object.entries(report.results).flatMap(([name, tally]) =>
        tally.changedWhenRefused.map((what) => `${name}: ${what}`),
      );
      expect(changed).toEqual([]);
    });

    it('refused most random values, and with the codes that fit (the fuzz reached the checks)', () => {
      const refused = (name: string) =>
        Object.values(report.results[name].refused).reduce((sum, count) => sum + count, 0);
      for (const name of [
        'PlatformMemory.allocate',
        'PlatformMemory.write',
        'SecureBuffer.from',
        'new SecureHeap',
        'SecureBuffer.use',
      ]) {
        expect(refused(name), name).toBeGreaterThan(RUNS / 2);
      }
      expect(report.results['PlatformMemory.allocate'].refused.INVALID_ARGUMENT).toBeGreaterThan(0);
      expect(report.results['a forged Region'].refused).toEqual({ INVALID_ARGUMENT: RUNS + SHAPES.length * 4 });
      const use = report.results['SecureBuffer.use'];
      expect(use.refused).toEqual({ INVALID_ARGUMENT: use.calls + use.sweep - use.valid });
    });
  },
);

describe.skipIf(skip !== undefined)(
  `fuzzing again with Object.prototype polluted by every option name${skip ? ` (${skip})` : ''}`,
  () => {
    it('control: the pollution took effect on a plain object', () => {
      expect(polluted.report.mode).toBe('polluted');
      expect(polluted.report.inherited).toContain('secretMemory');
      expect(polluted.report.inherited.length).toBeGreaterThanOrEqual(20);
    });

    it('never crashed, let out only MemoryProtectionError, and left the probes as they were on every refusal', () => {
      expect(polluted.exit, polluted.exit.stderr).toMatchObject({ status: 0, signal: null });
      for (const shape of SHAPES) expect(polluted.report.shapes[shape], shape).toBeGreaterThan(0);
      const problems = Object.entries(polluted.report.results).flatMap(([name, tally]) =>
        [
          ...tally.unacceptable,
          ...tally.changedWhenRefused,
          ...Object.keys(tally.refused).filter((code) => code === 'TypeError' || code === 'RangeError'),
        ].map((problem) => `${name}: ${problem}`),
      );
      expect(problems).toEqual([]);
    });
  },
);
