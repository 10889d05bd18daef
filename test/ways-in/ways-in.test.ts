// The ways in, for what they read: files of known and unknown length (growing, maxSize, a
// trailing newline), descriptors and pipes, hex/base64/base64url/UTF-8 strings (against Node's
// own decoders), environment variables (scrubbed from /proc/self/environ in a child, with the
// keep: true control that shows it would still be there). Copies are searched for in
// test/leaks/ways-in.test.ts.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type SecureBuffer, secretFromFile, secretFromString } from '../../src/index.js';
import { vmLockedBytes } from '../helpers/kernel.js';
import { errorOf } from '../helpers/errors.js';

/** memshield's built entry, as a module specifier for the children's scripts. */
const DIST_INDEX = JSON.stringify(new URL('../../dist/src/index.js', import.meta.url).href);

const scratch = mkdtempSync(join(tmpdir(), 'memshield-ways-in-unit-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const file = (name: string, content: Uint8Array | string) => {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
};
const contents = (secret: SecureBuffer) => secret.use((view) => Buffer.from(view));

describe('secretFromFile', () => {
  it('reads files of every length around its growth steps, exactly', () => {
    for (const length of [1, 255, 256, 257, 4095, 4096, 4097, 70_000]) {
      const bytes = randomBytes(length);
      const secret = secretFromFile(file(`f${length}`, bytes));
      expect(secret.size).toBe(length);
      expect(contents(secret).equals(bytes)).toBe(true);
      secret.dispose();
    }
  });

  it('reads a descriptor from its position, leaves it open, and reads a pipe of unknown length', () => {
    const path = file('descriptor', 'skip:the-secret');
    const fd = openSync(path, 'r');
    const skipped = Buffer.alloc(5);
    readSync(fd, skipped, 0, 5, null);
    const secret = secretFromFile(fd);
    expect(contents(secret).toString()).toBe('the-secret');
    closeSync(fd); // still open: closing it succeeds
    secret.dispose();
    const piped = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { secretFromFile } = await import(${DIST_INDEX});
       const s = secretFromFile(0);
       process.stdout.write(String(s.size) + ':' + s.use((v) => Buffer.from(v).toString('hex')));`,
      ],
      { input: Buffer.alloc(10_000, 0x61) },
    );
    expect(piped.stderr.toString()).toBe('');
    expect(piped.stdout.toString()).toBe(`10000:${'61'.repeat(10_000)}`);
  });

  it('leaves out one trailing newline (\\n or \\r\\n) when asked, and only then', () => {
    expect(contents(secretFromFile(file('nl', 'key\n'), { trimNewline: true })).toString()).toBe('key');
    expect(contents(secretFromFile(file('crlf', 'key\r\n'), { trimNewline: true })).toString()).toBe('key');
    expect(contents(secretFromFile(file('two', 'key\n\n'), { trimNewline: true })).toString()).toBe('key\n');
    expect(contents(secretFromFile(file('kept', 'key\n'))).toString()).toBe('key\n');
  });

  it('refuses past maxSize (a file by its size, a pipe while reading) and keeps nothing locked', () => {
    const locked = vmLockedBytes();
    const error = errorOf(() => secretFromFile(file('long', randomBytes(2000)), { maxSize: 1000 }));
    expect(error?.code).toBe('OUT_OF_BOUNDS');
    expect(error?.message).toContain('2000 bytes, more than maxSize (1000 bytes)');
    const fd = openSync(file('long-fifo-like', randomBytes(3000)), 'r');
    // An open descriptor is measured the same way.
    expect(errorOf(() => secretFromFile(fd, { maxSize: 2999 }))?.code).toBe('OUT_OF_BOUNDS');
    closeSync(fd);
    expect(secretFromFile(file('exact', randomBytes(1000)), { maxSize: 1000 }).size).toBe(1000);
    expect(vmLockedBytes()).toBeLessThanOrEqual(locked + 4096);
  });

  it('says what failed: a missing file (READ_FAILED with errno), an empty one, bad arguments', () => {
    const missing = errorOf(() => secretFromFile(join(scratch, 'missing')));
    expect(missing).toMatchObject({ code: 'READ_FAILED', syscall: 'open', errnoName: 'ENOENT', errno: 2 });
    expect(errorOf(() => secretFromFile(scratch))).toMatchObject({ code: 'READ_FAILED', errnoName: 'EISDIR' });
    expect(errorOf(() => secretFromFile(file('empty', '')))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('is empty'),
    });
    for (const bad of [-1, 1.5, null, {}])
      expect(errorOf(() => secretFromFile(bad as never))?.code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => secretFromFile(file('x', 'x'), { maxSize: 0 }))?.code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => secretFromFile(file('x', 'x'), { size: 1 } as never))?.code).toBe('INVALID_ARGUMENT');
  });
});

describe('secretFromString', () => {
  it('decodes hex, base64, base64url and UTF-8 as Node does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        for (const encoding of ['hex', 'base64', 'base64url'] as const) {
          for (const text of [buffer.toString(encoding), buffer.toString(encoding).toUpperCase()].slice(
            0,
            encoding === 'hex' ? 2 : 1,
          )) {
            const secret = secretFromString(text, encoding);
            expect(contents(secret).equals(buffer)).toBe(true);
            secret.dispose();
          }
        }
        const unpadded = secretFromString(buffer.toString('base64').replace(/=+$/, ''), 'base64');
        expect(contents(unpadded).equals(buffer)).toBe(true);
        unpadded.dispose();
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: 'grapheme' }), (text) => {
        expect(contents(secretFromString(text, 'utf8')).equals(Buffer.from(text, 'utf8'))).toBe(true);
      }),
      { numRuns: 100 },
    );
    // a lone surrogate
    expect(contents(secretFromString('a\ud800b', 'utf8')).equals(Buffer.from('a\ud800b', 'utf8'))).toBe(true);
  });

  it('refuses what is not that encoding by position, never showing the text, and keeps nothing', () => {
    const hex = errorOf(() => secretFromString('00ffzz11', 'hex'));
    expect(hex).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('position 4') });
    expect(hex?.message).not.toContain('zz');
    expect(errorOf(() => secretFromString('abc', 'hex'))?.message).toContain('even number');
    expect(errorOf(() => secretFromString('ab$d', 'base64'))?.message).toContain('position 2');
    expect(errorOf(() => secretFromString('abcde', 'base64'))?.message).toContain('impossible length');
    expect(errorOf(() => secretFromString('', 'utf8'))?.message).toContain('empty');
    expect(errorOf(() => secretFromString('00', 'latin1' as never))?.code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => secretFromString(42 as never, 'hex'))?.code).toBe('INVALID_ARGUMENT');
  });
});

describe('secretFromEnv', () => {
  // In a child: its initial environment block is what /proc/self/environ shows.
  const child = (keep: boolean) => {
    const script = `
      const { readFileSync } = await import('node:fs');
      const { secretFromEnv } = await import(${DIST_INDEX});
      const shows = () => readFileSync('/proc/self/environ').includes(Buffer.from('s3cr3t-${'x'.repeat(8)}'));
      const before = shows();
      const secret = secretFromEnv('MEMSHIELD_TEST_SECRET', { keep: ${keep} });
      const hex = secretFromEnv('MEMSHIELD_TEST_HEX', { encoding: 'hex' });
      process.stdout.write(JSON.stringify({ before, after: shows(), inEnv: 'MEMSHIELD_TEST_SECRET' in process.env,
        value: secret.use((v) => Buffer.from(v).toString()), hex: hex.use((v) => Array.from(v)),
        hexInEnviron: readFileSync('/proc/self/environ').includes(Buffer.from('0a0b0c')) }));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, MEMSHIELD_TEST_SECRET: `s3cr3t-${'x'.repeat(8)}`, MEMSHIELD_TEST_HEX: '0a0b0c' },
    });
    expect(result.stderr.toString()).toBe('');
    return JSON.parse(result.stdout.toString());
  };

  it('takes the value and scrubs it from process.env and /proc/self/environ', () => {
    expect(child(false)).toEqual({
      before: true,
      after: false,
      inEnv: false,
      value: `s3cr3t-${'x'.repeat(8)}`,
      hex: [10, 11, 12],
      hexInEnviron: false,
    });
  });

  it('the control: with keep: true the value is still in /proc/self/environ and process.env', () => {
    expect(child(true)).toMatchObject({ before: true, after: true, inEnv: true, value: `s3cr3t-${'x'.repeat(8)}` });
  });

  it('refuses a variable that is not set, naming it, and bad names', async () => {
    const { secretFromEnv } = await import('../../src/index.js');
    expect(errorOf(() => secretFromEnv('MEMSHIELD_NOT_SET_ANYWHERE'))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('MEMSHIELD_NOT_SET_ANYWHERE is not set'),
    });
    for (const bad of ['', 'A=B', 3]) expect(errorOf(() => secretFromEnv(bad as never))?.code).toBe('INVALID_ARGUMENT');
  });
});
