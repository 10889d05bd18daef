// Problems found where no caller can catch them (a wipe at the end of a tick, a finalizer):
// reported as process warnings, which never crash the process.

/** process.emitWarning where there is one (Node, Bun, Deno), console.warn otherwise. */
export function emitWarning(error: Error): void {
  const proc = (globalThis as { process?: { emitWarning?: (warning: Error) => void } }).process;
  if (proc?.emitWarning) proc.emitWarning(error);
  else console.warn(error);
}

/**
 * A warning with its own code (`MEMSHIELD_…`), for listeners of process 'warning' and
 * `--no-deprecation`-style filters: `process.emitWarning(message, { type, code })`.
 */
export function emitCodedWarning(message: string, code: string, type = 'MemshieldWarning'): void {
  const proc = (
    globalThis as { process?: { emitWarning?: (warning: string, options: { type: string; code: string }) => void } }
  ).process;
  if (proc?.emitWarning) proc.emitWarning(message, { type, code });
  else console.warn(`${type} [${code}]: ${message}`);
}
