// The environment as libc and the kernel keep it, on Linux. A variable's value lives in libc's
// `environ` (what getenv returns: for a variable the process started with, bytes inside the
// initial environment block on the stack; for one set later, a malloc'd copy), and the kernel
// shows the initial block to every process of the same user as /proc/PID/environ:
//
//   env_start (/proc/self/stat field 50)                              env_end (field 51)
//   ┌──────────────┬───────────────────────┬──────────────────┬───────┐
//   │ HOME=/root\0 │ API_KEY=s3cr3t…\0      │ PATH=/usr/bin…\0 │ …     │
//   └──────────────┴───────────────────────┴──────────────────┴───────┘
//                            ▲ scrub zeroes these value bytes in place
//
// Nothing here makes a JS string of a value: it is lent as a view of libc's own bytes.
import { loadKoffi } from './node-builtins.js';
import { readKernelFile } from './linux-files.js';
import { lendView } from './lend.js';

type Koffi = ReturnType<typeof loadKoffi>;
interface EnvironCalls {
  koffi: Koffi;
  getenv: (name: string) => bigint | null;
  strlen: (address: bigint) => number | bigint;
}

let calls: EnvironCalls | undefined;
function bind(): EnvironCalls {
  if (calls) return calls;
  const koffi = loadKoffi();
  const libc = koffi.load('libc.so.6');
  calls = {
    koffi,
    // void * rather than char *, so koffi hands back the address instead of decoding a string.
    getenv: libc.func('void *getenv(const char *name)') as never,
    strlen: libc.func('size_t strlen(void *s)') as never,
  };
  return calls;
}

const toAddress = (pointer: unknown): bigint =>
  typeof pointer === 'bigint' ? pointer : BigInt(bind().koffi.address(pointer as never));

/**
 * Calls `fn` with a zero-copy view of the variable's value bytes in libc's environment, or
 * returns undefined if it is not set (or the runtime forbids external views).
 */
export function withEnvironmentValue<T>(name: string, fn: (value: Uint8Array) => T): { result: T } | undefined {
  const { getenv, strlen, koffi } = bind();
  const pointer = getenv(name);
  if (pointer === null || pointer === 0n) return undefined;
  const address = toAddress(pointer);
  const length = Number(strlen(address as never));
  if (length === 0) return { result: fn(new Uint8Array(0)) };
  const view = lendView(koffi, address, length);
  return view ? { result: fn(view) } : undefined;
}

/** [env_start, env_end) of this process, from /proc/self/stat, or undefined. */
export function initialEnvironmentBlock(): { start: bigint; end: bigint } | undefined {
  const stat = readKernelFile('/proc/self/stat');
  if (!stat) return undefined;
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/); // fields[0] is field 3
  const start = BigInt(fields[50 - 3] ?? 0);
  const end = BigInt(fields[51 - 3] ?? 0);
  return start > 0n && end > start ? { start, end } : undefined;
}

/**
 * Zeroes the value bytes of `name` where libc holds them now and in every `name=` entry of the
 * initial environment block, so /proc/self/environ no longer shows them. Run it before unsetenv
 * (which only unlinks the entry). Returns how many bytes were zeroed.
 */
export function scrubEnvironmentValue(name: string, nameBytes: Uint8Array): number {
  let zeroed =
    withEnvironmentValue(name, (value) => {
      value.fill(0);
      return value.length;
    })?.result ?? 0;
  const block = initialEnvironmentBlock();
  const view = block && lendView(bind().koffi, block.start, Number(block.end - block.start));
  if (!view) return zeroed;
  // Entries start at the block's start and after each NUL; compare `name=` there.
  for (let at = 0; at < view.length; ) {
    let end = view.indexOf(0, at);
    if (end < 0) end = view.length;
    const matches =
      end - at > nameBytes.length &&
      view[at + nameBytes.length] === 0x3d &&
      nameBytes.every((byte, i) => view[at + i] === byte);
    if (matches) {
      const valueStart = at + nameBytes.length + 1;
      view.fill(0, valueStart, end);
      zeroed += end - valueStart;
    }
    at = end + 1;
  }
  return zeroed;
}
