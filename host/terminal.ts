// A terminal for a password prompt: whether a descriptor is one, echo and line editing off (raw
// mode, through Node's tty, which calls tcsetattr / SetConsoleMode) and back on, and the prompt
// written to it. Bytes typed are read by descriptors.ts straight into the secret.
import { builtin } from './node-builtins.js';

type RawModeStream = { isRaw?: boolean; setRawMode(mode: boolean): unknown; pause?(): unknown };

/** True if `fd` is a terminal. */
export function isTerminal(fd: number): boolean {
  return builtin('node:tty').isatty(fd);
}

/** Turns raw mode (no echo, no line editing, Ctrl-C as a byte) on for `fd`; returns how to turn it off again. */
export function rawMode(fd: number): () => void {
  const proc = (globalThis as { process?: { stdin?: unknown } }).process;
  // fd 0 is process.stdin's: reuse it, as a second stream on it would fight over the mode.
  const stream = (fd === 0 && proc?.stdin ? proc.stdin : new (builtin('node:tty').ReadStream)(fd)) as RawModeStream;
  const was = stream.isRaw === true;
  stream.setRawMode(true);
  return () => {
    stream.setRawMode(was);
    stream.pause?.();
  };
}

/** Writes `text` to `fd` (the prompt, and the newline after the typed password). */
export function writeText(fd: number, text: string): void {
  builtin('node:fs').writeSync(fd, text);
}

/** The terminal calls of a platform registry entry (host/platforms.ts). */
export interface TerminalCalls {
  isTerminal: typeof isTerminal;
  rawMode: typeof rawMode;
  writeText: typeof writeText;
}

/** Node's tty, as the registry hands it out (platforms.ts). */
export const NODE_TERMINAL_CALLS: TerminalCalls = Object.freeze({ isTerminal, rawMode, writeText });
