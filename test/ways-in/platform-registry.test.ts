// The ways in (secretFromFile, readPassword, secretFromEnv) reach the OS through the platform
// registry (host/platforms.ts), like the memory host: a platform whose entry has no `files` or
// `terminal` gets NOT_SUPPORTED naming it and what to do instead, before anything is opened or
// allocated; without `environment`, secretFromEnv reads and deletes the process.env entry only.
// process.platform is switched for the call, as the registry reads it at call time; the controls
// are the same calls on this Linux machine, which work.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPassword, secretFromEnv, secretFromFile } from '../../src/index.js';
import { errorOf } from '../helpers/errors.js';

const folder = mkdtempSync(join(tmpdir(), 'memshield-registry-'));
const keyFile = join(folder, 'key');
writeFileSync(keyFile, 'k'.repeat(32));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Runs `body` while process.platform says `platform`. */
function on<T>(platform: string, body: () => T): T {
  const original = Object.getOwnPropertyDescriptor(process, 'platform')!;
  Object.defineProperty(process, 'platform', { ...original, value: platform });
  try {
    return body();
  } finally {
    Object.defineProperty(process, 'platform', original);
  }
}

describe('the ways in go through the platform registry', () => {
  it('control: on linux, secretFromFile reads the file', () => {
    const secret = secretFromFile(keyFile, { secretMemory: 'off' });
    expect(secret.use((view) => Buffer.from(view).toString())).toBe('k'.repeat(32));
    secret.dispose();
  });

  it.each(['darwin', 'win32', 'freebsd'])(
    'on %s, secretFromFile and readPassword are NOT_SUPPORTED, naming the platform and what to do',
    (platform) => {
      const file = on(platform, () => errorOf(() => secretFromFile(keyFile)));
      expect(file).toMatchObject({
        code: 'NOT_SUPPORTED',
        message: expect.stringContaining(`secretFromFile is not supported on ${platform}`),
      });
      expect(file?.message).toContain('SecureBuffer.from(bytes)');
      const password = on(platform, () => errorOf(() => readPassword('Password: ', { input: 0, output: 2 })));
      expect(password).toMatchObject({
        code: 'NOT_SUPPORTED',
        message: expect.stringContaining(`readPassword is not supported on ${platform}`),
      });
    },
  );

  it(
    'on darwin, secretFromEnv reads and deletes the process.env entry (no environment block ' +
      'to scrub); on linux the block is scrubbed too (control: test/ways-in/ways-in.test.ts)',
    () => {
      process.env.MEMSHIELD_REGISTRY_TEST = 'abc123';
      const secret = on('darwin', () => secretFromEnv('MEMSHIELD_REGISTRY_TEST', { secretMemory: 'off' }));
      expect(secret.use((view) => Buffer.from(view).toString())).toBe('abc123');
      expect(process.env.MEMSHIELD_REGISTRY_TEST).toBeUndefined();
      secret.dispose();
    },
  );
});
