// `npm run examples`: runs every example non-interactively and checks what it printed against
// what the same computation gives here. The prompt is driven through a pseudo-terminal (util-linux
// `script`). Prints "ok NAME" per example; exits 1 if any failed.
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes, scryptSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'memshield-examples-'));
const key = randomBytes(32).toString('hex');
const keyFile = join(scratch, 'hmac.key');
writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
const hmac = (message) => createHmac('sha256', Buffer.from(key)).update(message).digest('hex');
const check = (condition, what) => {
  if (!condition) throw new Error(what);
};

/** Runs `node example args`, resolves with its stdout (fails on a non-zero exit). */
function node(example, args, options = {}) {
  const result = spawnSync(process.execPath, [here(example), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    ...options,
  });
  if (result.status !== 0) throw new Error(`${example} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

function post(port, body) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/sign' }, (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const examples = {
  async 'hmac-service'() {
    const child = spawn(process.execPath, [here('hmac-service.mjs'), keyFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const port = await new Promise((resolve, reject) => {
        child.stdout.on('data', (chunk) => {
          const match = /listening (\d+)/.exec(String(chunk));
          if (match) resolve(Number(match[1]));
        });
        child.on('exit', (code) => reject(new Error(`the service exited (${code})`)));
      });
      const signed = await post(port, 'hello, world');
      check(signed.status === 200 && signed.text === hmac('hello, world'), `signature ${signed.status} ${signed.text}`);
      const tooLarge = await post(port, Buffer.alloc(65 * 1024)).catch(() => ({ status: 413 }));
      check(tooLarge.status === 413, `an oversized body got ${tooLarge.status}`);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise((resolve) =>
      child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', resolve),
    );
    check(code === 0, `the service ended with ${code} after SIGTERM`);
  },

  async 'envelope-encryption'() {
    const out = JSON.parse(
      node('envelope-encryption.mjs', [], { env: { ...process.env, MASTER_KEY: randomBytes(32).toString('hex') } }),
    );
    check(
      out.records === 100 &&
        out.roundTrip &&
        out.distinctKeys === 100 &&
        out.masterInEnv === false &&
        out.liveInHeap === 0,
      JSON.stringify(out),
    );
  },

  async 'password-kdf'() {
    if (spawnSync('script', ['--version']).status !== 0)
      return 'skipped: no util-linux script(1) to drive a pseudo-terminal';
    const salt = randomBytes(16).toString('hex');
    const command = [process.execPath, here('password-kdf.mjs'), salt].map((part) => `'${part}'`).join(' ');
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let screen = '';
    let typed = false;
    await new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        screen += chunk;
        if (!typed && screen.includes('Password: ')) {
          typed = true;
          child.stdin.write('correct horse\x7fe\r');
        }
      });
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`password-kdf exited ${code}: ${screen}`)),
      );
    });
    const derived = scryptSync('correct horse', Buffer.from(salt, 'hex'), 32, { N: 1 << 14, r: 8, p: 1 });
    const expected = createHmac('sha256', derived).update('memshield check').digest('hex');
    check(screen.includes(`check ${expected}`), `the check value differs: ${JSON.stringify(screen)}`);
    check(!screen.includes('horse'), 'the password was echoed');
  },

  async 'worker-pool'() {
    const out = JSON.parse(node('worker-pool.mjs', [keyFile]));
    check(out.jobs === 40 && out.threads === 4, JSON.stringify({ jobs: out.jobs, threads: out.threads }));
    for (const [job, tag] of Object.entries(out.signatures)) check(tag === hmac(job), `${job} signed wrongly`);
  },
};

let failed = 0;
try {
  for (const [name, run] of Object.entries(examples)) {
    try {
      const skipped = await run();
      console.log(skipped ? `${name} ${skipped}` : `ok ${name}`);
    } catch (error) {
      failed++;
      console.log(`FAILED ${name}: ${error.message}`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
