// Loads the Wasm core (compiled once, synchronously, at import) and binds an instance of it to
// a host. The bridge turns each core import into one host call; bytes a caller writes or reads
// are "staged" here for the duration of one core call and never enter Wasm memory.
import { coreModule } from '#core-module';
import type { Host } from '../host/types.js';
import {
  bufferByteLength,
  byteLengthOf,
  byteSpanOf,
  fillBytes,
  setBytes,
  wasmMemoryBuffer,
} from '../shared/intrinsics.js';
import type { CoreExports, WasmMemory } from './core-exports.js';
import { Capability, Status } from './generated/core-numbers.js';
import { registerCore } from './own-usage.js';
import { drawRandomInto } from './core-random.js';
import { errorFromStatus } from './failures.js';
/** Captured at load: a Uint8Array replaced later is never given secret bytes or Wasm memory. */
const NativeUint8Array = Uint8Array;
const NativeArrayBuffer = ArrayBuffer;
const { fromCharCode } = String;

export type { CoreExports } from './core-exports.js';

// The WebAssembly constructor the core needs, declared here rather than taken from the DOM lib:
// users' compiles (and ours) then need neither the DOM lib nor an @types/node version that
// declares WebAssembly. The module itself comes from #core-module (src/core-module.ts).
interface WasmApi {
  Instance: new (module: object, imports: object) => { readonly exports: object };
}
const { Instance } = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const EMPTY = new Uint8Array(0);
/** What a host without mapSecret answers (Linux's ENOSYS); the core never asks it. */
const ENOSYS = 38;

/** A core instance bound to one host. */
export interface BoundCore {
  readonly exports: CoreExports;
  readonly host: Host;
  /** Runs `call` with `buffer` as the source or target of the core's byte copies. */
  withStaged<T>(buffer: Uint8Array, call: () => T): T;
  /**
   * The same in two halves, for the hot paths (no closure per call): `buffer` is staged until
   * `unstage()`, which must follow in a `finally`. `length` is its real byte length, when the
   * caller has just read it.
   */
  stage(buffer: Uint8Array, length?: number): void;
  unstage(): void;
}

/** Instantiates a fresh core over `host` and initialises it with the host's machine facts. */
export function bindCore(host: Host): BoundCore {
  let staged: Uint8Array = EMPTY;
  let stagedLength = 0;
  let memory: WasmMemory | undefined;
  // A new view of Wasm memory per core copy, on purpose: only a region's canary goes through it (2
  // per Secure allocate+free, 3 per 100 heap alloc+free, none per use/write/readInto), and a view
  // costs 60-110 ns against the 27-41 µs of that allocate+free: caching it would save under 0.5%.
  // The memory's buffer is read through the getter captured at load, never the prototype's now.
  const coreBytes = (pointer: number, length: number) =>
    new NativeUint8Array(wasmMemoryBuffer(memory!), pointer, length);
  // What a host is handed for a core copy: a window on a scratch buffer of the bridge's own, never a
  // view of core memory (a host written in JS, or a getter it triggers, would hold every region's
  // record through it). The copy is one canary or heap page image; the window is wiped after it.
  // One scratch buffer, kept: a fresh 4 KiB array per copy (off V8's heap, freed by the GC) cost
  // ~5 µs each, 10 µs per Secure allocate+free.
  let scratch = new NativeArrayBuffer(0);
  let scratchBusy = false; // a host that calls back into this core during a copy gets an array of its own
  function scratchWindow(length: number): Uint8Array {
    if (scratchBusy) return new NativeUint8Array(length);
    // Grown as needed; made again if a host detached it (a detached buffer has no length left).
    if ((bufferByteLength(scratch) ?? 0) < length) scratch = new NativeArrayBuffer(length < 4096 ? 4096 : length);
    return new NativeUint8Array(scratch, 0, length);
  }
  function coreCopyIn(id: number, offset: number, length: number, pointer: number): number {
    const outer = !scratchBusy;
    const bytes = scratchWindow(length);
    setBytes(bytes, coreBytes(pointer, length));
    scratchBusy = true;
    try {
      return host.copyIn(id, offset, bytes);
    } finally {
      if (outer) scratchBusy = false;
      if (byteLengthOf(bytes) === length) fillBytes(bytes, 0);
    }
  }
  function coreCopyOut(id: number, offset: number, length: number, pointer: number): number {
    const outer = !scratchBusy;
    const bytes = scratchWindow(length);
    scratchBusy = true;
    try {
      const error = host.copyOut(id, offset, bytes);
      if (error === 0 && byteLengthOf(bytes) === length) setBytes(coreBytes(pointer, length), bytes);
      return error;
    } finally {
      if (outer) scratchBusy = false;
      if (byteLengthOf(bytes) === length) fillBytes(bytes, 0);
    }
  }
  // The core asks for at most the staged length; a shorter part is a new view (not subarray(),
  // which would look up a species constructor).
  const stagedBytes = (length: number) => {
    if (length === stagedLength) return staged;
    const span = byteSpanOf(staged);
    return new NativeUint8Array(span.buffer, span.byteOffset, length <= stagedLength ? length : stagedLength);
  };

  const imports = {
    env: {
      abort(message: number, file: number, line: number, column: number): never {
        throw new Error(
          `memshield core: internal assertion failed (${readString(message)} at ${readString(file)}:${line}:${column})`,
        );
      },
    },
    host: {
      map: (length: number, alignment: number, protection: number, flags: number) =>
        host.map(length, alignment, protection as never, flags),
      unmap: (id: number) => host.unmap(id),
      // Only called where the host has decommit (Capability.DECOMMIT below).
      decommit: (id: number) => (host.decommit ? host.decommit(id) : ENOSYS),
      // Only called where capabilities().secretMemory is true; a host without it never offers it.
      map_secret: (id: number, offset: number, length: number, protection: number) =>
        host.mapSecret ? host.mapSecret(id, offset, length, protection as never) : ENOSYS,
      protect: (id: number, offset: number, length: number, protection: number) =>
        host.protect(id, offset, length, protection as never),
      lock: (id: number, offset: number, length: number) => host.lock(id, offset, length),
      unlock: (id: number, offset: number, length: number) => host.unlock(id, offset, length),
      advise: (id: number, offset: number, length: number, advice: number) =>
        host.advise(id, offset, length, advice as never),
      fill: (id: number, offset: number, length: number, byte: number) => host.fill(id, offset, length, byte),
      copy_in: (id: number, offset: number, length: number) => host.copyIn(id, offset, stagedBytes(length)),
      copy_out: (id: number, offset: number, length: number) => host.copyOut(id, offset, stagedBytes(length)),
      core_in: coreCopyIn,
      core_out: coreCopyOut,
      random_bytes: (pointer: number, length: number) => drawRandomInto(host, coreBytes(pointer, length), length),
      memory_room: () => host.memoryRoom?.()?.bytes ?? -1, // -1: the host cannot tell
    },
  };

  // AssemblyScript strings: UTF-16 code units, byte length stored just before the data.
  function readString(pointer: number): string {
    if (!memory || pointer === 0) return '?';
    const bytes = coreBytes(pointer - 4, 4);
    const length = (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 1;
    const units = coreBytes(pointer, length * 2);
    let text = '';
    for (let i = 0; i < length; i++) text += fromCharCode(units[2 * i] | (units[2 * i + 1] << 8));
    return text;
  }

  const instance = new Instance(coreModule, imports);
  const exports = instance.exports as unknown as CoreExports;
  memory = exports.memory;

  const capabilities = host.capabilities();
  const bits =
    (capabilities.lock ? Capability.LOCK : 0) |
    (capabilities.dontDump ? Capability.DONTDUMP : 0) |
    (capabilities.dontFork ? Capability.DONTFORK : 0) |
    (capabilities.explicitHugePages ? Capability.EXPLICIT_HUGE : 0) |
    (capabilities.transparentHugePages ? Capability.TRANSPARENT_HUGE : 0) |
    (capabilities.secretMemory && typeof host.mapSecret === 'function' ? Capability.SECRET_MEMORY : 0) |
    (typeof host.decommit === 'function' ? Capability.DECOMMIT : 0);
  const status = exports.init(host.pageSize(), Math.max(capabilities.hugePageSize, host.pageSize()), bits);
  if (status !== Status.OK && exports.failureOperation() !== 0) {
    throw errorFromStatus(exports, host, status, { action: 'start the memshield core (draw its canary)' });
  }
  if (status !== Status.OK) throw new Error(`memshield: the host reported an unusable page size (${host.pageSize()})`);
  registerCore(host, exports);

  function stage(buffer: Uint8Array, length = byteLengthOf(buffer)): void {
    staged = buffer; // checkBytes' array (the caller's own Uint8Array or Buffer), or one memshield made
    stagedLength = length;
  }
  function unstage(): void {
    staged = EMPTY; // drop the reference: the bridge never keeps caller bytes
    stagedLength = 0;
  }

  return {
    exports,
    host,
    stage,
    unstage,
    withStaged(buffer, call) {
      stage(buffer);
      try {
        return call();
      } finally {
        unstage();
      }
    },
  };
}
