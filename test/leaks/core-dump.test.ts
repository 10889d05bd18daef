// Secrets are not in a core dump or a heap snapshot of the process that holds them. One child
// (test/fixtures/leaks-holder.mjs) holds a random 32-byte marker in each place memshield keeps
// secrets — a SecureBuffer and a SecureHeap slot, in secret memory (the default here) and in
// ordinary pages, and a PlatformMemory Secure region — each put there from a source that was
// then zeroed, plus controls where ordinary code keeps bytes: a Buffer, a Regular region (mapped
// outside the V8 heap, as secrets are) and a string. gdb's gcore dumps it once; the dump and the
// snapshot are searched in chunks for every marker (raw, either half, hex, base64). Every
// control must be found — else the search proves nothing — and no secret may be.
//
// The child runs with --disable-wasm-trap-handler --wasm-max-mem-pages=1024: V8 then reserves
// only what each Wasm memory may use instead of 8 GiB of guard space per instance, and the dump
// is about 1 GB (written in ~1 s) instead of 22 GB (~60 s). The flags change how V8 bounds-checks
// Wasm, not where any byte lives. MEMSHIELD_FULL_CORE_DUMP=1 runs the child with V8's defaults.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needleForms, scanFile } from '../helpers/scan.js';
import { run } from '../helpers/kernel.js';
import { nativeHost } from '../../src/default-memory.js';
import { siblingTraceSkipReason } from '../helpers/privilege.mjs';

const FIXTURE = fileURLToPath(new URL('../fixtures/leaks-holder.mjs', import.meta.url));
const SMALL_DUMP_FLAGS =
  process.env.MEMSHIELD_FULL_CORE_DUMP === '1' ? [] : ['--disable-wasm-trap-handler', '--wasm-max-mem-pages=1024'];
const SIZE = 32;

// The marker order of the fixture: secrets first, then the controls.
const SECRETS = [
  'SecureBuffer',
  'SecureHeap slot',
  'SecureBuffer (secretMemory off)',
  'SecureHeap slot (secretMemory off)',
  'PlatformMemory Secure region',
] as const;
const CONTROLS = ['plain Buffer', 'Regular region', 'string'] as const;
const NAMES = [...SECRETS, ...CONTROLS];
const secretMemoryHere = nativeHost().capabilities().secretMemory === true;
// gcore attaches to the holder, its sibling: where Yama forbids that, only the heap snapshot runs.
const traceSkip = siblingTraceSkipReason();

interface HolderReport {
  ready: true;
  pid: number;
  folds: Record<string, number>;
  sourcesWiped: boolean[];
  backings: Record<string, string>;
}

const markers = new Map(NAMES.map((name) => [name, new Uint8Array(randomBytes(SIZE))]));
const fold = (bytes: Uint8Array) => bytes.reduce((acc, byte, i) => (acc ^ (byte << ((i % 4) * 8))) >>> 0, 0);
let scratch = '';
let holder: HolderReport;
let core: { found: Map<string, number[]>; bytes: number; seconds: number };
let snapshot: { found: Map<string, number[]>; bytes: number };

/** Starts the holder and resolves with its ready report; the child keeps running. */
function startHolder(markersPath: string, snapshotPath: string) {
  const child = spawn(process.execPath, [...SMALL_DUMP_FLAGS, FIXTURE, markersPath, snapshotPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = new Promise<HolderReport>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n').find((candidate) => candidate.includes('"ready":true'));
      if (line) resolve(JSON.parse(line) as HolderReport);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (status, signal) =>
      reject(new Error(`the holder ended before it was ready (${status} ${signal}): ${stderr}`)),
    );
  });
  return { child, ready };
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'memshield-core-dump-'));
  const markersPath = join(scratch, 'markers');
  writeFileSync(markersPath, Buffer.concat(NAMES.map((name) => markers.get(name)!)), { mode: 0o600 });
  const snapshotPath = join(scratch, 'holder.heapsnapshot');
  const { child, ready } = startHolder(markersPath, snapshotPath);
  try {
    holder = await ready;
    rmSync(markersPath); // the markers now live only in the child (and in this test)
    const needles = NAMES.flatMap((name) => needleForms(name, markers.get(name)!));
    snapshot = scanFile(snapshotPath, needles);
    if (traceSkip) return;
    const started = process.hrtime.bigint();
    const dumped = await run('gcore', ['-o', join(scratch, 'core'), String(holder.pid)]);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const corePath = join(scratch, `core.${holder.pid}`);
    if (dumped.status !== 0) throw new Error(`gcore failed (${dumped.status}): ${dumped.stderr}`);
    try {
      core = { ...scanFile(corePath, needles), seconds };
      expect(core.bytes).toBe(statSync(corePath).size);
    } finally {
      rmSync(corePath, { force: true }); // 1–22 GB: never keep it longer than the search
    }
  } finally {
    child.kill('SIGKILL');
  }
}, 300_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(traceSkip !== undefined)(
  `a core dump (gcore) of a process holding secrets${traceSkip ? ` (${traceSkip})` : ''}`,
  () => {
    it('was taken while every secret held its marker, put there from a source that was then zeroed', () => {
      for (const name of SECRETS) expect(holder.folds[name], name).toBe(fold(markers.get(name)!));
      expect(holder.sourcesWiped).toEqual([true, true, true, true]);
      expect(core.bytes).toBeGreaterThan(50 * 1024 * 1024); // a whole process, not an empty file
    });

    it('keeps each where it was asked for: secret memory by default here, ordinary pages when turned off', () => {
      const secretDefault = secretMemoryHere ? 'secret-memory' : 'anonymous';
      expect(holder.backings).toEqual({
        SecureBuffer: secretDefault,
        'SecureHeap slot': secretDefault,
        'SecureBuffer (secretMemory off)': 'anonymous',
        'SecureHeap slot (secretMemory off)': 'anonymous',
        'PlatformMemory Secure region': 'anonymous',
      });
    });

    it.each(CONTROLS.filter((name) => name !== 'string'))(
      'contains the control in a %s (the search finds bytes where ordinary code keeps them)',
      (name) => {
        expect(core.found.get(`${name} raw`)?.length ?? 0).toBeGreaterThan(0);
      },
    );

    it.each(SECRETS)(
      'contains no trace of the secret in a %s: not raw, not half of it, not as hex or base64',
      (name) => {
        const traces = needleForms(name, markers.get(name)!)
          .map(([form]) => form)
          .filter((form) => core.found.has(form));
        expect(traces).toEqual([]);
      },
    );
  },
);

describe('a V8 heap snapshot (v8.writeHeapSnapshot) of the same process', () => {
  it('contains the control string (the search finds what a snapshot records)', () => {
    expect(snapshot.found.get('string hex')?.length ?? 0).toBeGreaterThan(0);
    expect(snapshot.bytes).toBeGreaterThan(1024 * 1024);
  });

  it.each(SECRETS)('contains no trace of the secret in a %s', (name) => {
    const traces = needleForms(name, markers.get(name)!)
      .map(([form]) => form)
      .filter((form) => snapshot.found.has(form));
    expect(traces).toEqual([]);
  });
});
