// SecureHeap: a 32-byte secret allocated and freed (freed slots wiped in batches, no system call
// per secret), and how many live 32-byte secrets an ordinary user can hold, beside sodium-native.
/** @typedef {import('./lib/cases.mjs').TimedCase} TimedCase */
/** @typedef {import('./lib/cases.mjs').CountCase} CountCase */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { unprivileged } from '../test/helpers/privilege.mjs';

const SIZE = 32;
const TICK = 100; // frees per turn of the event loop in the per-tick row
const LIVE_LIMIT = 200_000;
const LIVE_LIMIT_QUICK = 3_000; // past the 2,048 sodium secrets an 8 MiB memlock limit holds
const LIVE_CHILD = fileURLToPath(new URL('./lib/live-secrets-child.mjs', import.meta.url));

/** What the children load, all of which user nobody must be able to read. */
function liveFiles(env) {
  const files = [LIVE_CHILD, fileURLToPath(new URL('../dist/src/index.js', import.meta.url))];
  if (env.sodium) files.push(createRequire(import.meta.url).resolve('sodium-native'));
  return files;
}

/**
 * Runs `node script ...args` as an ordinary user (the suite's privilege module decides how: as
 * nobody without capabilities under root). Each stdout line goes to `onLine` as it arrives, so a
 * child that dies keeps what it printed. Resolves when it exits, whatever the exit.
 * @returns {Promise<{ code: number | null, signal: string | null, user: string, stderr: string }>}
 */
function runUnprivileged(script, args, onLine) {
  const run = unprivileged([process.execPath, script, ...args]);
  if ('skip' in run) return Promise.reject(new Error(run.skip));
  const [command, ...rest] = run.argv;
  const child = spawn(command, rest, { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stdout }).on('line', onLine);
  const stderr = [];
  child.stderr.on('data', (chunk) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // 'close', not 'exit': every line of stdout has been read by then.
    child.on('close', (code, signal) => {
      resolve({ code, signal, user: run.user, stderr: Buffer.concat(stderr).toString() });
    });
  });
}

/** A heap already holding its first arena and formatted pages, so no batch pays for them. */
function warmHeap(env) {
  const heap = new env.memshield.SecureHeap({ host: env.host });
  for (let i = 0; i < 1000; i++) heap.alloc(SIZE).dispose();
  heap.flush();
  return { env, heap };
}

// sodium_free only detaches the buffer; the unmap waits for the garbage collector (see
// allocate.bench.mjs), so each batch ends with a full GC and a turn of the event loop.
async function sodiumAllocFree(state, iterations) {
  const { sodium } = state.env;
  for (let i = 0; i < iterations; i++) sodium.sodium_free(sodium.sodium_malloc(SIZE));
  await state.env.collectGarbage();
}

const nextTick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs one side of the live-secrets count in an unprivileged child (bench/lib/live-secrets-child.mjs).
 * Its last `live` line is what it held when it stopped or died; its `fact` lines, the kernel's view.
 */
async function countLive(side, limit) {
  const facts = { reached: 0, lockedSecrets: 0 };
  let stopped;
  const run = await runUnprivileged(LIVE_CHILD, [side, String(limit)], (line) => {
    const [word, ...rest] = line.split(' ');
    if (word === 'live') [facts.reached, facts.lockedSecrets] = rest.map(Number);
    else if (word === 'stopped') stopped = { code: rest[0], message: rest.slice(1).join(' ') };
    else if (word === 'fact') facts[rest[0]] = JSON.parse(rest.slice(1).join(' '));
  });
  let end;
  if (run.signal) end = `died by ${run.signal}`;
  else if (run.code !== 0)
    throw new Error(
      `the ${side} child failed (exit ${run.code}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  else if (stopped) end = `stopped by ${stopped.code}`;
  else end = `limit of ${limit} reached`;
  return { ...facts, end, stopped, runAs: run.user };
}

/** "all locked", "2048 locked", or "NOT all locked" (memshield's smaps check failed). */
function lockedText({ reached, lockedSecrets }) {
  if (lockedSecrets === null) return 'NOT all locked';
  return lockedSecrets === reached ? 'all locked' : `${lockedSecrets} locked`;
}

/** @type {{ order: number, cases: (TimedCase | CountCase)[] }} */
export default {
  order: 70,
  cases: [
    {
      id: 'heap-alloc-free-32',
      title: 'SecureHeap alloc+free, 32 B',
      floor: null, // no system call per secret: nothing to mirror in C
      setup: warmHeap,
      memshield({ heap }, iterations) {
        for (let i = 0; i < iterations; i++) heap.alloc(SIZE).dispose();
        heap.flush(); // the wipe of the batch's last frees belongs to its cost
      },
      sodium: sodiumAllocFree,
      teardown: ({ heap }) => heap.destroy(),
      batch: { sodium: 1000 },
      targets: { sodium: 1 / 50 },
    },
    {
      id: 'heap-alloc-free-tick-32',
      title: `SecureHeap alloc+free, 32 B, wiped each tick of ${TICK}`,
      floor: null,
      setup: warmHeap,
      // As a server frees: a few secrets per turn of the event loop, each turn's frees wiped by
      // the end-of-tick flush (the microtask the first dispose() of the turn queued).
      async memshield({ heap }, iterations) {
        for (let done = 0; done < iterations; done += TICK) {
          for (let i = 0; i < Math.min(TICK, iterations - done); i++) heap.alloc(SIZE).dispose();
          await nextTick();
        }
      },
      sodium: sodiumAllocFree,
      teardown: ({ heap }) => heap.destroy(),
      batch: { sodium: 1000 },
    },
    {
      kind: 'count',
      id: 'heap-live-secrets-32',
      title: `live 32 B secrets until failure (or ${LIVE_LIMIT / 1000}k), unprivileged`,
      unit: 'secrets',
      // Nobody must be able to read what the children load; the node binary is checked too.
      skip: (env) => {
        const run = unprivileged([process.execPath, ...liveFiles(env)]);
        return 'skip' in run ? run.skip.replace(/^skipped: /, '') : undefined; // run.mjs says 'skipped' itself
      },
      // Each side in its own process as nobody without CAP_IPC_LOCK: RLIMIT_MEMLOCK applies.
      async measure(env) {
        const limit = env.quick ? LIVE_LIMIT_QUICK : LIVE_LIMIT;
        const memshield = await countLive('memshield', limit);
        const sodium = env.sodium ? await countLive('sodium', limit) : undefined;
        const detail = (side) => `${lockedText(side)}, ${side.end}`;
        return {
          memshield: memshield.reached,
          ...(sodium && { sodium: sodium.reached }),
          details: { memshield: detail(memshield), ...(sodium && { sodium: detail(sodium) }) },
          facts: { memshield, ...(sodium && { sodium }) },
        };
      },
      targets: { atLeast: 100_000 },
    },
  ],
};
