// Runs a node script as an ordinary user, for cases that must meet the limits an ordinary user
// meets (RLIMIT_MEMLOCK): as root it goes through setpriv to nobody with every capability dropped
// (CAP_IPC_LOCK would let it lock past the limit); otherwise it runs as the current user. The
// script and node must be readable by that user.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'];

/** Why this machine cannot run a child unprivileged that reads `files`, or undefined if it can. */
export function unprivilegedUnavailable(files = []) {
  if (typeof process.getuid !== 'function') return 'no POSIX user ids on this platform';
  if (process.getuid() !== 0) return undefined; // already an ordinary user
  const probe = spawnSync('setpriv', [...NOBODY, 'true'], { stdio: 'ignore' });
  if (probe.status !== 0) return 'running as root, and setpriv cannot drop to nobody here';
  const unreadable = files.find((file) => spawnSync('setpriv', [...NOBODY, 'test', '-r', file], { stdio: 'ignore' }).status !== 0);
  return unreadable ? `user nobody cannot read ${unreadable} (move the checkout somewhere readable by all)` : undefined;
}

/**
 * Runs `node script ...args` unprivileged. Each stdout line goes to `onLine` as it arrives (so a
 * child that dies keeps what it printed). Resolves when it exits, whatever the exit.
 * @returns {Promise<{ code: number | null, signal: string | null, user: string, stderr: string }>}
 */
export function runUnprivileged(script, args, onLine) {
  const node = [process.execPath, script, ...args];
  const root = process.getuid?.() === 0;
  const [command, ...rest] = root ? ['setpriv', ...NOBODY, ...node] : node;
  const child = spawn(command, rest, { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stdout }).on('line', onLine);
  const stderr = [];
  child.stderr.on('data', (chunk) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // 'close', not 'exit': every line of stdout has been read by then.
    child.on('close', (code, signal) => resolve({
      code, signal, user: root ? 'nobody (uid 65534, no capabilities)' : `uid ${process.getuid?.()}`, stderr: Buffer.concat(stderr).toString(),
    }));
  });
}
