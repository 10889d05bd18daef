// Files and descriptors read straight into memory a caller lends (a secret's open data pages):
// read(2) through Node's fs, which hands the target's own bytes to the kernel, with no
// intermediate buffer. Errors come back as values, never thrown.
import { builtin } from './node-builtins.js';

/** A failed file operation: the call and its error, as Node names them. */
export interface DescriptorFailure {
  syscall: string;
  /** Positive errno, where Node gives one. */
  errno?: number;
  /** `ENOENT`, `EACCES`, … */
  errnoName: string;
}

/** An open descriptor to read from. */
export interface OpenedDescriptor {
  fd: number;
  /** True when memshield opened it (and so closes it). */
  owned: boolean;
  /** Its size, for a regular file; undefined for pipes, sockets and terminals. */
  size: number | undefined;
}

function failure(error: unknown, syscall: string): DescriptorFailure {
  const nodeError = error as { code?: unknown; errno?: unknown; syscall?: unknown };
  return {
    syscall: typeof nodeError.syscall === 'string' ? nodeError.syscall : syscall,
    errno: typeof nodeError.errno === 'number' ? Math.abs(nodeError.errno) : undefined,
    errnoName: typeof nodeError.code === 'string' ? nodeError.code : 'EIO',
  };
}

/** Opens `path` read-only (or takes `fd` as it is) and finds its size if it is a regular file. */
export function openDescriptor(source: string | number): OpenedDescriptor | DescriptorFailure {
  const fs = builtin('node:fs');
  let fd: number;
  try {
    fd = typeof source === 'number' ? source : fs.openSync(source, 'r');
  } catch (error) {
    return failure(error, 'open');
  }
  try {
    const stats = fs.fstatSync(fd);
    return { fd, owned: typeof source !== 'number', size: stats.isFile() ? stats.size : undefined };
  } catch (error) {
    if (typeof source !== 'number') fs.closeSync(fd);
    return failure(error, 'fstat');
  }
}

/** Reads up to `target.byteLength` bytes into `target`: the count read (0 at end of file), or a failure. */
export function readDescriptor(fd: number, target: Uint8Array): number | DescriptorFailure {
  const fs = builtin('node:fs');
  for (;;) {
    try {
      return fs.readSync(fd, target, 0, target.byteLength, null);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'EINTR') continue; // interrupted by a signal before any byte: read again
      if (code === 'EAGAIN') {
        waitReadable();
        continue;
      } // a non-blocking pipe or terminal with nothing yet
      return failure(error, 'read');
    }
  }
}

/** The file calls of a platform registry entry (host/platforms.ts). */
export interface FileCalls {
  open: typeof openDescriptor;
  read: typeof readDescriptor;
  close: typeof closeDescriptor;
}

/** Closes a descriptor memshield opened. */
export function closeDescriptor(fd: number): void {
  try {
    builtin('node:fs').closeSync(fd);
  } catch {
    // Nothing was read after this point; a failed close leaks a descriptor, not a secret.
  }
}

// A synchronous reader of a non-blocking descriptor has nothing to poll with: sleep 10 ms.
// Made on first use: a browser page that is not cross-origin isolated has no SharedArrayBuffer, and
// importing memshield there must not fail.
let sleeper: Int32Array | undefined;
function waitReadable(): void {
  sleeper ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleeper, 0, 0, 10);
}

/** Node's fs, as the registry hands it out (platforms.ts). */
export const NODE_FILE_CALLS: FileCalls = Object.freeze({
  open: openDescriptor,
  read: readDescriptor,
  close: closeDescriptor,
});
