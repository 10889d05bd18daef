// Each way into secure memory leaves no copy behind. One child (test/fixtures/leaks-ways-in.mjs)
// takes a random marker in through each way — a file by path and by descriptor, a hex and a
// base64 string, an environment variable — and controls the naive way (readFileSync,
// Buffer.from(hex), process.env). Its heap snapshot and a core dump (gcore) are searched for the
// markers' bytes: every control must be found, else the search proves nothing, and no secret.
// The environment variable is also gone from /proc/PID/environ, where the control still is.
//
// A decoded string's source (the hex or base64 text) stays: V8 strings cannot be wiped. Its
// decoded bytes are what must not be anywhere.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanFile } from '../helpers/scan.js';
import { run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/leaks-ways-in.mjs', import.meta.url));
const SMALL_DUMP_FLAGS = ['--disable-wasm-trap-handler', '--wasm-max-mem-pages=1024'];
const SECRETS = ['file by path', 'file by descriptor', 'hex string', 'base64 string', 'environment variable'] as const;
const CONTROLS = [
  'file read with readFileSync',
  'hex decoded with Buffer.from',
  'environment variable read from process.env',
] as const;

// Printable markers (an environment value cannot hold NUL): 32 random base64url characters.
const marker = () => Buffer.from(randomBytes(24).toString('base64url'));
const markers = new Map<string, Buffer>([...SECRETS, ...CONTROLS].map((name) => [name, marker()]));
const fold = (bytes: Uint8Array) => bytes.reduce((acc, byte, i) => (acc ^ (byte << ((i % 4) * 8))) >>> 0, 0);

let scratch = '';
let holder: { pid: number; folds: Record<string, number>; envGone: boolean };
let dump: Map<string, number[]>;
let snapshot: Map<string, number[]>;
let environ: Buffer;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'memshield-ways-in-'));
  const write = (file: string, content: string | Buffer) =>
    writeFileSync(join(scratch, file), content, { mode: 0o600 });
  write('path', markers.get('file by path')!);
  write('descriptor', markers.get('file by descriptor')!);
  write('hex', markers.get('hex string')!.toString('hex'));
  write('base64', markers.get('base64 string')!.toString('base64'));
  write('naive-file', markers.get('file read with readFileSync')!);
  write('naive-hex', markers.get('hex decoded with Buffer.from')!.toString('hex'));
  const snapshotPath = join(scratch, 'holder.heapsnapshot');
  const env = {
    ...process.env,
    WAYS_IN_ENV: markers.get('environment variable')!.toString(),
    WAYS_IN_NAIVE: markers.get('environment variable read from process.env')!.toString(),
  };
  const child = spawn(process.execPath, [...SMALL_DUMP_FLAGS, FIXTURE, scratch, snapshotPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  try {
    holder = await new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const line = stdout.split('\n').find((candidate) => candidate.includes('"ready":true'));
        if (line) resolve(JSON.parse(line));
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      child.on('close', (status, signal) =>
        reject(new Error(`the holder ended before it was ready (${status} ${signal}): ${stderr}`)),
      );
    });
    environ = readFileSync(`/proc/${holder.pid}/environ`);
    const needles = [...markers].map(([name, bytes]) => [name, bytes] as [string, Uint8Array]);
    const dumped = await run('gcore', ['-o', join(scratch, 'core'), String(holder.pid)]);
    if (dumped.status !== 0) throw new Error(`gcore failed (${dumped.status}): ${dumped.stderr}`);
    try {
      dump = scanFile(join(scratch, `core.${holder.pid}`), needles).found;
    } finally {
      rmSync(join(scratch, `core.${holder.pid}`), { force: true });
    }
    snapshot = scanFile(snapshotPath, needles).found;
  } finally {
    child.kill('SIGKILL');
  }
}, 300_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("secrets taken in through memshield's ways in", () => {
  it('hold their markers (each way read the whole secret)', () => {
    for (const name of SECRETS) expect(holder.folds[name], name).toBe(fold(markers.get(name)!));
    expect(holder.envGone).toBe(true);
  });

  it.each(CONTROLS)('the core dump holds the control taken the naive way: %s', (name) => {
    expect(dump.get(name)?.length ?? 0).toBeGreaterThan(0);
  });

  it.each(SECRETS)('the core dump holds no copy of the secret taken in from a %s', (name) => {
    expect(dump.get(name) ?? []).toEqual([]);
  });

  it('the heap snapshot holds the control read from process.env (a string)', () => {
    expect(snapshot.get('environment variable read from process.env')?.length ?? 0).toBeGreaterThan(0);
  });

  it.each(SECRETS)('the heap snapshot holds no copy of the secret taken in from a %s', (name) => {
    expect(snapshot.get(name) ?? []).toEqual([]);
  });

  it('/proc/PID/environ no longer shows the scrubbed variable, and still shows the control', () => {
    expect(environ.includes(markers.get('environment variable read from process.env')!)).toBe(true);
    expect(environ.includes(Buffer.from('WAYS_IN_NAIVE='))).toBe(true);
    expect(environ.includes(markers.get('environment variable')!)).toBe(false);
  });
});
