// The floor's parent side: builds bench/floor.c with the machine's C compiler into bench/out/,
// and drives it as one persistent child that times the same work in C (see floor.c's protocol).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
// Build products and the latest JSON; MEMSHIELD_BENCH_OUT moves them (the smoke test builds afresh).
export const OUT_DIR = process.env.MEMSHIELD_BENCH_OUT || `${BENCH_DIR}out`;
const SOURCE = `${BENCH_DIR}floor.c`;
const BINARY = `${OUT_DIR}/floor`;

/** Compiles floor.c to `output` with `flags` unless the output is newer than the source. */
function compile(compiler, output, flags) {
  mkdirSync(OUT_DIR, { recursive: true });
  const fresh = existsSync(output) && statSync(output).mtimeMs >= statSync(SOURCE).mtimeMs;
  if (fresh) return;
  // -O2, as a C program doing this job would ship; no -march, so the copy loops are generic.
  execFileSync(compiler, ['-O2', '-Wall', '-Wextra', ...flags, '-o', output, SOURCE], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Compiles the floor program (bench/out/floor) if it is missing or older than floor.c. Returns
 * its path and the compiler's first version line. Throws with the compiler's output if it fails.
 */
export function buildFloor({ compiler = process.env.CC || 'cc' } = {}) {
  compile(compiler, BINARY, []);
  const version = execFileSync(compiler, ['--version'], { encoding: 'utf8' }).split('\n')[0];
  return { binary: BINARY, compiler: version };
}

/** Compiles floor.c as a shared library exporting floor_run() (bench/out/floor.so). */
export function buildFloorLibrary({ compiler = process.env.CC || 'cc' } = {}) {
  const library = `${OUT_DIR}/floor.so`;
  compile(compiler, library, ['-shared', '-fPIC', '-DFLOOR_LIBRARY']);
  return library;
}

/** A running floor child. `run` resolves to the nanoseconds the timed loop took. */
export class FloorProcess {
  /** @param {string} binary */
  constructor(binary) {
    this.child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    /** @type {((line: string) => void)[]} */
    this.waiting = [];
    this.exited = false;
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.(line));
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      for (const resolve of this.waiting.splice(0)) resolve(`error the floor exited (${signal ?? code})`);
    });
  }

  /** Runs `iterations` of floor case `name` on `bytes` bytes; resolves to total nanoseconds. */
  async run(name, bytes, iterations, { traced = false } = {}) {
    const line = await this.request(`${traced ? 'trace' : 'run'} ${name} ${bytes} ${iterations}`);
    const match = /^ok (\d+)$/.exec(line);
    if (!match) throw new Error(`floor ${name} ${bytes} × ${iterations}: ${line}`);
    return Number(match[1]);
  }

  request(command) {
    if (this.exited) return Promise.resolve('error the floor is not running');
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin.write(`${command}\n`);
    });
  }

  /** Asks the child to exit and waits for it. */
  async close() {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end('quit\n');
    await exited;
  }
}
