// A read the JavaScript runtime refused on its own, as opposed to one the kernel refused: Deno's
// permission system reads /proc and /sys only with --allow-all, whatever --allow-read names
// (denoland/deno#27564). The host says so with this error; src/ turns it into NOT_SUPPORTED.
import { builtin } from './node-builtins.js';

/** The runtime's permission system refused to read `path`; `flag` is what would allow it. */
export class RuntimeRefusedError extends Error {
  readonly path: string;
  readonly flag: string;
  constructor(path: string, flag: string, cause: unknown) {
    super(`the runtime refused to read ${path}; run it with ${flag}`, { cause });
    this.name = 'RuntimeRefusedError';
    this.path = path;
    this.flag = flag;
  }
}

// Deno reads these only with --allow-all: naming --allow-read (as its first refusal does when
// --allow-read lists other paths) would only lead to a second refusal.
const ALL_ACCESS_PATHS = /^\/(proc|sys|dev)\//;

/**
 * The flag that allows reading `path`, if `error` is a runtime's refusal ("… run again with the
 * --allow-read flag").
 */
function refusalFlag(error: unknown, path: string): string | undefined {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  if (name !== 'NotCapable' && name !== 'PermissionDenied') return undefined;
  if (ALL_ACCESS_PATHS.test(path)) return '--allow-all';
  return (typeof message === 'string' && /run again with the (--[\w-]+) flag/.exec(message)?.[1]) || '--allow-all';
}

/**
 * Reads a kernel file as text.
 * @throws {RuntimeRefusedError} when the runtime (not the kernel) refused; other errors as they are
 */
export function readKernelText(path: string): string {
  try {
    return builtin('node:fs').readFileSync(path, 'utf8');
  } catch (error) {
    const flag = refusalFlag(error, path);
    if (flag) throw new RuntimeRefusedError(path, flag, error);
    throw error;
  }
}
