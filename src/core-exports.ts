// The functions the Wasm core exports, as TypeScript declares them. The compiler holds these
// declarations to the compiled core: src/generated/core-numbers.ts lists every exported function
// with its parameter count (read from build/core.wasm), and DeclaredExportsAreTheCores below does
// not compile when a function is added, removed or changes arity on either side alone.
import type { CORE_FUNCTIONS } from './generated/core-numbers.js';

/** A Wasm linear memory: only its current buffer is read (no DOM lib needed for the type). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** The core's exports (assembly/index.ts). */
export interface CoreExports {
  memory: WasmMemory;
  init(pageSize: number, hugePageSize: number, capabilities: number): number;
  allocate(
    size: number,
    align: number,
    protection: number,
    type: number,
    guardsBefore: number,
    guardsAfter: number,
    options: number,
  ): number;
  allocatedGeneration(): number;
  free(slot: number, generation: number): number;
  protect(slot: number, generation: number, protection: number): number;
  lock(slot: number, generation: number): number;
  unlock(slot: number, generation: number): number;
  clear(slot: number, generation: number): number;
  write(slot: number, generation: number, offset: number, length: number): number;
  read(slot: number, generation: number, offset: number, length: number): number;
  check(slot: number, generation: number): number;
  regionField(slot: number, field: number): number;
  regionHostId(slot: number): number;
  /** The generation a slot's handle has now (for walking live regions). */
  slotGeneration(slot: number): number;
  statLiveRegions(): number;
  statMappedBytes(): number;
  statLockedBytes(): number;
  failureReason(): number;
  failureOperation(): number;
  failureError(): number;
  /** Test only: lowers the generation ceiling of every handle table (wrap 1: the old wrap-around). */
  testOnlySetGenerationCeiling(ceiling: number, wrap: number): void;
  plan(
    size: number,
    align: number,
    granule: number,
    guardsBefore: number,
    guardsAfter: number,
    placeAtEnd: number,
  ): number;
  planField(field: number): number;
}

/** The core's SecureBuffer/SecureHeap entry points (assembly/secure-entry.ts). */
export interface SecureCoreExports extends CoreExports {
  secretCreate(size: number, copy: number, options: number): number;
  secretCreatedGeneration(): number;
  secretCheck(secret: number, generation: number): number;
  secretOpenScope(secret: number, generation: number, access: number): number;
  secretCloseScope(secret: number, generation: number): number;
  secretWrite(secret: number, generation: number, offset: number, length: number): number;
  secretRead(secret: number, generation: number, offset: number, length: number): number;
  secretFree(secret: number, generation: number): number;
  secretField(secret: number, field: number): number;
  secretLiveCount(): number;
  heapCreate(arenaBytes: number, maxBytes: number, options: number): number;
  heapCreatedGeneration(): number;
  heapCheck(heap: number, generation: number): number;
  heapAlloc(heap: number, generation: number, size: number): number;
  heapFlush(heap: number, generation: number): number;
  heapTrim(heap: number, generation: number): number;
  heapDestroy(heap: number, generation: number): number;
  heapStat(heap: number, field: number): number;
  heapArenaRegion(heap: number, index: number): number;
  wipeAllSecrets(): number;
  purgeSecrets(): number;
  purgeRegions(): number;
  purgeStat(field: number): number;
  quarantineSetCap(bytes: number): number;
  quarantineStat(field: number): number;
  quarantineDrain(): number;
}

/** The parameter count of each function of `Declared`. */
type Arity<Declared> = {
  [Name in Exclude<keyof Declared, 'memory'>]: Declared[Name] extends (...args: infer A) => unknown
    ? A['length']
    : never;
};
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** `true` when the declared functions and a core's function table have the same names and arities. */
export type ExportsMatch<Declared, Functions> = Same<
  Arity<Declared>,
  { -readonly [Name in keyof Functions]: Functions[Name] }
>;
/** Accepts `true` only: a `false` is a compile error. */
export type MustBeTrue<T extends true> = T;
/** Compiles only while the declared functions and the compiled core's are the same, arity included. */
export type DeclaredExportsAreTheCores = MustBeTrue<ExportsMatch<SecureCoreExports, typeof CORE_FUNCTIONS>>;
