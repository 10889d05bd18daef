// Wiping every live secret before the process ends, as memguard does. Installed with the first
// secret; each secure core wipes all its secrets and heaps in one call (wipeAllSecrets).
//
// - 'exit' (normal end, process.exit(), an uncaught exception): wipe, in the exit listener.
// - SIGINT, SIGTERM: if memshield's listener is the only one, wipe, then re-raise the
//   signal with the default action restored, so the process still dies by that signal (exit
//   status 128 + n). If the program has its own listener, it owns the signal: nothing is wiped
//   then, and the 'exit' wipe runs when the program does exit.
// - SIGKILL, a crash (SIGSEGV, abort) or power loss cannot be caught: those secrets are not wiped
//   by memshield (they are still locked, left out of core dumps, and freed by the kernel).
import { invalidArgument } from './errors.js';
import { readOptions } from './options.js';
import { describeValue } from './validate.js';
import { secureCores } from './secure-core.js';

/** Which ends of the process wipe every live secret first (both on by default). */
export interface ExitWipeOptions {
  /** Wipe on the 'exit' event: normal end, process.exit(), uncaught exception. */
  exit?: boolean;
  /** Wipe on SIGINT and SIGTERM when no other listener handles them. */
  signals?: boolean;
}

// Not SIGHUP: a program started under nohup expects to survive it.
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

interface ProcessLike {
  pid: number;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  listenerCount(event: string): number;
  kill(pid: number, signal: string): unknown;
}

const settings = { exit: true, signals: true };
let exitInstalled = false;
let signalsInstalled = false;

function processObject(): ProcessLike | undefined {
  const candidate = (globalThis as { process?: ProcessLike }).process;
  return candidate && typeof candidate.on === 'function' ? candidate : undefined;
}

/** Wipes every secret of every secure core; returns how many secrets were wiped. */
export function wipeAllLiveSecrets(): number {
  let wiped = 0;
  for (const core of secureCores) wiped += core.exports.wipeAllSecrets() >>> 0;
  return wiped;
}

function onExit(): void {
  wipeAllLiveSecrets();
}

function onSignal(signal: unknown): void {
  const proc = processObject();
  if (!proc || typeof signal !== 'string') return;
  if (proc.listenerCount(signal) > 1) return; // the program handles this signal itself
  wipeAllLiveSecrets();
  removeSignalListeners(proc);
  proc.kill(proc.pid, signal); // default action again: die by the signal, as without memshield
}

function removeSignalListeners(proc: ProcessLike): void {
  for (const signal of SIGNALS) proc.off(signal, onSignal);
  signalsInstalled = false;
}

/** Puts the listeners in place as the settings ask. Called when a secret or heap is made. */
export function armExitWipe(): void {
  const proc = processObject();
  if (!proc) return; // browsers: no process to end
  if (settings.exit && !exitInstalled) {
    proc.on('exit', onExit);
    exitInstalled = true;
  }
  if (settings.signals && !signalsInstalled) {
    try {
      for (const signal of SIGNALS) proc.on(signal, onSignal);
      signalsInstalled = true;
    } catch {
      removeSignalListeners(proc); // a runtime that cannot listen for these signals
    }
  }
}

/**
 * Chooses whether memshield wipes every live SecureBuffer and SecureHeap when the process ends
 * (both on by default). Turning one off removes memshield's listener for it.
 *
 * @param options - `{ exit?: boolean, signals?: boolean }`
 * @throws {MemoryProtectionError} INVALID_ARGUMENT for anything else
 * @example
 * // The program handles SIGTERM itself and calls process.exit() (which still wipes):
 * configureExitWipe({ signals: false });
 */
export function configureExitWipe(options: ExitWipeOptions): void {
  if (options === undefined) throw invalidArgument('configureExitWipe needs an object { exit?: boolean, signals?: boolean }, got undefined');
  const opts = readOptions<ExitWipeOptions>(options, 'configureExitWipe options', ['exit', 'signals']);
  for (const key of ['exit', 'signals'] as const) {
    const value = opts[key];
    if (value !== undefined && typeof value !== 'boolean') throw invalidArgument(`configureExitWipe: ${key} must be true or false, got ${describeValue(value)}`);
  }
  if (opts.exit !== undefined) settings.exit = opts.exit;
  if (opts.signals !== undefined) settings.signals = opts.signals;
  const proc = processObject();
  if (!proc) return;
  if (!settings.exit && exitInstalled) {
    proc.off('exit', onExit);
    exitInstalled = false;
  }
  if (!settings.signals && signalsInstalled) removeSignalListeners(proc);
  if (secureCores.size > 0) armExitWipe();
}
