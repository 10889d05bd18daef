// What configureExitWipe chose for this copy of memshield, read by every wipe at the end of the
// process: this thread's secrets (exit-wipe.ts) and other threads' (thread-registry.ts).
import type { ProcessEnd } from './process-coordinator.js';

/** Both ends on by default. */
export const exitSettings = { exit: true, signals: true };

/** Whether the settings ask for a wipe at `end`. */
export function exitWipeWants(end: ProcessEnd): boolean {
  return end === 'exit' ? exitSettings.exit : exitSettings.signals;
}
