// In a browser, Web Worker or edge build, '#native-host' is host/no-native.ts: no platform entry at
// all. The ways in then say NOT_SUPPORTED naming the runtime, instead of failing inside Node's fs.
import { describe, expect, it, vi } from 'vitest';
import { errorOf } from '../helpers/errors.js';

vi.mock('#native-host', () => import('../../host/no-native.js'));
const { readPassword, secretFromFile } = await import('../../src/index.js');

describe('without a native platform (browser, Web Worker, edge runtime builds)', () => {
  it('secretFromFile and readPassword are NOT_SUPPORTED, naming the kind of runtime', () => {
    expect(errorOf(() => secretFromFile('/etc/hostname'))).toMatchObject({
      code: 'NOT_SUPPORTED',
      message: expect.stringContaining(
        'secretFromFile is not supported on this build (for browsers, ' +
          'Web Workers and edge runtimes: no native platform)',
      ),
    });
    expect(errorOf(() => readPassword())).toMatchObject({
      code: 'NOT_SUPPORTED',
      message: expect.stringContaining('readPassword is not supported'),
    });
  });
});
