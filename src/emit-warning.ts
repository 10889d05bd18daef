// Problems found where no caller can catch them (a wipe at the end of a tick, a finalizer):
// reported as process warnings, which never crash the process.

/** process.emitWarning where there is one (Node, Bun, Deno), console.warn otherwise. */
export function emitWarning(error: Error): void {
  const proc = (globalThis as { process?: { emitWarning?: (warning: Error) => void } }).process;
  if (proc?.emitWarning) proc.emitWarning(error);
  else console.warn(error);
}
