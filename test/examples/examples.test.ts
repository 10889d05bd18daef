// `npm run examples` inside `npm test`: every program in examples/ runs and its output is checked
// by examples/run.mjs (against the same computation done there). dist/ is built by pretest.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUNNER = fileURLToPath(new URL('../../examples/run.mjs', import.meta.url));
const EXAMPLES = ['hmac-service', 'envelope-encryption', 'password-kdf', 'worker-pool'];

describe('examples/', () => {
  it('every example runs and prints what the runner computes itself', () => {
    const result = spawnSync(process.execPath, [RUNNER], { encoding: 'utf8', timeout: 120_000 });
    const lines = result.stdout.trim().split('\n');
    expect(lines.filter((line) => !line.startsWith('ok ') && !line.includes(' skipped: '))).toEqual([]);
    expect(lines.map((line) => line.replace(/^ok /, '').split(' ')[0])).toEqual(EXAMPLES);
    expect(result.status).toBe(0);
  }, 150_000);
});
