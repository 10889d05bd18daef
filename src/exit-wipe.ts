// Wiping every live secret before the process ends, as memguard does. Installed with the first
// secret; each secure core wipes all its secrets and heaps in one call (wipeAllSecrets). The
// hooks themselves belong to the process coordinator (src/process-coordinator.ts), shared by every
// copy of memshield in the process; this copy joins it with its own wipe and settings.
//
// - 'exit' (normal end, process.exit(), an uncaught exception): wiped before any 'exit' listener
//   runs, whatever their order and whatever they do (throw, call process.exit() again).
// - SIGINT, SIGTERM, SIGHUP: if every listener for the signal is memshield or a signal-exit-style
//   library, wipe, and the process still dies by that signal (exit status 128 + n). If the
//   program has its own listener, it owns the signal: nothing is wiped then, and the 'exit' wipe
//   runs when the program does exit.
// - SIGKILL, a crash (SIGSEGV, abort) or power loss cannot be caught: those secrets are not wiped
//   by memshield (they are still locked, left out of core dumps, and freed by the kernel).
import { invalidArgument } from './errors.js';
import { exitSettings as settings, exitWipeWants } from './exit-settings.js';
import { readOptions } from '../shared/options.js';
import { joinProcessEnds, refreshProcessEnds, type Participant } from './process-coordinator.js';
import { describeValue } from './validate.js';
import { forEachSecureCore, secureCoreCount } from './secure-core.js';

/** Which ends of the process wipe every live secret first (both on by default). */
export interface ExitWipeOptions {
  /** Wipe on the 'exit' event: normal end, process.exit(), uncaught exception. */
  exit?: boolean;
  /** Wipe on SIGINT, SIGTERM and SIGHUP when no listener of the program's own handles them. */
  signals?: boolean;
}

/** Wipes every secret of every secure core; returns how many secrets were wiped. */
export function wipeAllLiveSecrets(): number {
  let wiped = 0;
  forEachSecureCore((core) => {
    wiped += core.exports.wipeAllSecrets() >>> 0;
  });
  return wiped;
}

/** This copy of memshield, as the process coordinator sees it. */
const participant: Participant = {
  wants: (end) => secureCoreCount() > 0 && exitWipeWants(end),
  wipe: wipeAllLiveSecrets,
};
let joined = false;

/**
 * Puts the listeners in place as the settings ask. Called when a secret or heap is made. When the
 * coordinator on globalThis is not this copy's (another copy's, or a fake planted before memshield
 * loaded), this copy hooks the exit and the signals through a coordinator of its own as well.
 */
export function armExitWipe(): void {
  if (joined) return;
  joinProcessEnds(participant);
  joined = true;
}

/**
 * Chooses whether memshield wipes every live SecureBuffer and SecureHeap when the process ends
 * (both on by default). Each copy of memshield in the process has its own settings, for its own
 * secrets; when no copy wants an ending any more, its hook is removed.
 *
 * @param options - `{ exit?: boolean, signals?: boolean }`
 * @throws {MemoryProtectionError} INVALID_ARGUMENT for anything else
 * @example
 * // The program handles SIGTERM itself and calls process.exit() (which still wipes):
 * configureExitWipe({ signals: false });
 */
export function configureExitWipe(options: ExitWipeOptions): void {
  if (options === undefined)
    throw invalidArgument('configureExitWipe needs an object { exit?: boolean, signals?: boolean }, got undefined');
  const opts = readOptions<ExitWipeOptions>(options, 'configureExitWipe options', ['exit', 'signals']);
  for (const key of ['exit', 'signals'] as const) {
    const value = opts[key];
    if (value !== undefined && typeof value !== 'boolean')
      throw invalidArgument(`configureExitWipe: ${key} must be true or false, got ${describeValue(value)}`);
  }
  if (opts.exit !== undefined) settings.exit = opts.exit;
  if (opts.signals !== undefined) settings.signals = opts.signals;
  if (joined) refreshProcessEnds();
  else if (secureCoreCount() > 0) armExitWipe();
}
