// One registry of every thread's native mappings, shared by all threads of the process, so that a
// thread's end gives its memory back and the process's end wipes every thread's secrets.
//
// Each thread (the main one and every worker) has its own core and host; a worker that ends by
// returning, process.exit() or an exception wipes its own secrets in its 'exit' event, but one
// that is terminate()d runs no JS at all, and none of them unlocks or unmaps: its host, which
// named the mappings by id, is gone with it. So every native mapping is also written here, by
// address, with the thread that made it; and every thread running memshield, when one of its
// workers ends ('worker' event, then the worker's 'exit'), gives back the mappings of every thread
// that no longer runs (zero the resident pages, munlock, munmap). When the main thread ends, the
// other threads still run: their secrets are zeroed in place (see wipeInPlace).
//
// The registry is a SharedArrayBuffer that the first thread to load memshield makes and hands to
// every worker it starts afterwards through worker_threads.setEnvironmentData (a worker passes it
// on to its own workers). A worker started before its parent loaded memshield gets none: it makes
// its own, which its parent never reads (docs/workers.md says what then holds).
//
// Any code in any thread can reach that buffer and write it. So nothing in it is trusted that the
// kernel does not confirm: the header must be exactly ours (size, version, capacity; the
// high-water mark is clamped), and an entry of an ended thread is zeroed and unmapped only if its
// range is page-aligned, overlaps no running thread's entry, and lies inside mappings that look like
// memshield's in /proc/self/smaps (anonymous or secret memory, VmFlags dd), read once per sweep.
//
// Layout (little-endian, in a SharedArrayBuffer of HEADER_BYTES + CAPACITY × ENTRY_BYTES):
//
//   ┌──────────── header, 16 bytes ─────────────┐┌──────────── entry i, 32 bytes ─────────────────────────┐
//   │ version i32 │ capacity i32 │ highWater i32 ││ state i32 │ tid i32 │ start f64 │ address f64 │ length f64 │
//   │             │              │ │ (unused)    ││ see below │ thread tag          │ the mapping (0 when FREE) │
//   └─────────────────────────────────────────────┘└───────────────────────────────────────────────────────┘
//   highWater: one past the highest entry ever claimed (scans stop there, or at CAPACITY).
//
// Entry states (the low STATE_BITS of the state word; changes are atomic, compareExchange):
//
//   FREE ──claim──► CLAIMED ──fields written──► LIVE ──its thread frees it──► RELEASING ──munmap done──► FREE
//                      │                          │                               │
//                      └──── its thread ended: any sweep takes it (BUSY|sweeper's tid), releases, FREE
//
//   An entry is LIVE only once its mapping exists and its fields are written; it leaves the
//   registry only after its mapping is unmapped (a terminate() in between leaves it RELEASING, and
//   a sweep finishes the job). BUSY carries the sweeping thread's id, so that a sweep cut short by
//   its own thread's terminate() is taken over by the next one.
import { createNativeThreadRegions } from '#native-host';
import type { AddressRuns } from '../host/linux-dump-excluded.js';
import type { ThreadRegionCalls, ThreadTag } from '../host/linux-thread-regions.js';
import { builtin } from '../host/node-builtins.js';
import { mapDelete, mapGet, mapSet, newMap } from '../shared/intrinsics.js';
import type { Host } from '../host/types.js';
import { exitWipeWants } from './exit-settings.js';
import { joinProcessEnds } from './process-coordinator.js';

/** The environment-data key (a string: symbols do not cross threads). Version 2: RELEASING, BUSY with the sweeper. */
export const REGISTRY_KEY = 'memshield.thread-regions.v2';
const VERSION = 2;
// As many entries as mappings the default vm.max_map_count allows: every region is at least one.
const CAPACITY = 65536;
const HEADER_BYTES = 16;
const ENTRY_BYTES = 32;
const ENTRY_INTS = ENTRY_BYTES / 4;
const ENTRY_DOUBLES = ENTRY_BYTES / 8;
const REGISTRY_BYTES = HEADER_BYTES + CAPACITY * ENTRY_BYTES;

// Entry states, in the low bits of the state word; BUSY has the sweeping thread's id above them
// (thread ids are below 2^22, the kernel's largest pid_max).
const STATE_BITS = 3;
const STATE_MASK = (1 << STATE_BITS) - 1;
const FREE = 0;
const CLAIMED = 1;
const LIVE = 2;
const RELEASING = 3;
const BUSY = 4;
const busyBy = (tid: number) => (tid << STATE_BITS) | BUSY;

/** The registry's typed views over one SharedArrayBuffer. */
interface Registry {
  ints: Int32Array;
  doubles: Float64Array;
}

// Header fields (Int32 indexes) and entry fields (Int32 and Float64 indexes).
const H_VERSION = 0;
const H_CAPACITY = 1;
const H_HIGH_WATER = 2;
const stateAt = (i: number) => HEADER_BYTES / 4 + i * ENTRY_INTS;
const tidAt = (i: number) => stateAt(i) + 1;
const startAt = (i: number) => HEADER_BYTES / 8 + i * ENTRY_DOUBLES + 1;
const addressAt = (i: number) => startAt(i) + 1;
const lengthAt = (i: number) => startAt(i) + 2;

interface WorkerThreads {
  getEnvironmentData(key: unknown): unknown;
  setEnvironmentData(key: unknown, value: unknown): void;
  isMainThread: boolean;
}

/** What this thread knows: the registry, the OS calls, who it is. */
interface ThreadState {
  registry: Registry;
  calls: ThreadRegionCalls;
  self: ThreadTag;
  hint: number;
}

function workerThreads(): WorkerThreads | undefined {
  try {
    return builtin('node:worker_threads') as unknown as WorkerThreads;
  } catch {
    return undefined;
  }
}

/** The registry this thread inherited, or a new one handed on to the workers it starts. */
function sharedRegistry(threads: WorkerThreads): Registry | undefined {
  // A runtime without these (or without shared memory): one thread's worth of guarantees only.
  if (
    typeof SharedArrayBuffer !== 'function' ||
    typeof threads.getEnvironmentData !== 'function' ||
    typeof threads.setEnvironmentData !== 'function'
  )
    return undefined;
  let buffer = threads.getEnvironmentData(REGISTRY_KEY) as SharedArrayBuffer | undefined;
  // Any code can set this key: only a buffer of exactly this layout is taken, anything else (a
  // planted value, a bad length) gets a fresh registry rather than a RangeError at import.
  const usable =
    buffer instanceof SharedArrayBuffer &&
    buffer.byteLength === REGISTRY_BYTES &&
    new Int32Array(buffer, 0, HEADER_BYTES / 4)[H_VERSION] === VERSION &&
    new Int32Array(buffer, 0, HEADER_BYTES / 4)[H_CAPACITY] === CAPACITY;
  if (!usable) {
    buffer = new SharedArrayBuffer(REGISTRY_BYTES); // its pages are committed as entries are used
    const header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    header[H_VERSION] = VERSION;
    header[H_CAPACITY] = CAPACITY;
    threads.setEnvironmentData(REGISTRY_KEY, buffer);
  }
  return { ints: new Int32Array(buffer!), doubles: new Float64Array(buffer!) };
}

// Taken when memshield loads, so that workers started from then on inherit it.
const threads = workerThreads();
const registry = threads && sharedRegistry(threads);

let state: ThreadState | undefined | null = null; // null: not looked up yet (or to look up again)
/** The errno of the last setup that failed for a passing reason (to retry), else 0. */
let setupFailure = 0;

// Setup failures that pass (the fd limit, memory): retried on the next call, not kept forever.
const TRANSIENT: Record<string, number> = { EMFILE: 24, ENFILE: 23, ENOMEM: 12, EAGAIN: 11, EINTR: 4 };
const TRANSIENT_TEXT =
  /too many open files|cannot allocate memory|resource temporarily unavailable|interrupted system call/i;
/** The errno of a failure that may pass, else 0 (a lasting refusal: no koffi, no /proc access). */
function transientErrno(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in TRANSIENT) return TRANSIENT[code];
  return TRANSIENT_TEXT.test(String((error as { message?: unknown } | null)?.message ?? error)) ? TRANSIENT.EMFILE : 0;
}

/**
 * The registry with the OS calls bound (on first need: it loads koffi). Undefined where there are
 * none. A setup that failed for a passing reason (EMFILE near the fd limit, ENOMEM) is tried again
 * on the next call; a lasting refusal (no koffi, /proc unreadable as in Deno without --allow-all)
 * is kept, so that each allocation does not pay for it again.
 */
function threadState(): ThreadState | undefined {
  if (state !== null) return state;
  if (!registry) {
    state = undefined;
    return state;
  }
  try {
    const calls = createNativeThreadRegions();
    // Where the platform has no such calls (macOS, Windows): one thread's guarantees, for good.
    state = calls ? { registry, calls, self: calls.currentThread(), hint: 0 } : undefined;
    setupFailure = 0;
  } catch (error) {
    // No koffi or no libc (native memory is unavailable anyway), or this thread's identity in
    // /proc/thread-self unreadable (Deno reads it only with --allow-all): one thread's guarantees,
    // as without shared memory, not a failed first call. Unless it may pass: then again next time.
    setupFailure = transientErrno(error);
    state = setupFailure ? null : undefined;
  }
  return state ?? undefined;
}

/** One past the highest entry to scan: the shared high-water mark, never past CAPACITY (it may be forged). */
function highWater(ints: Int32Array): number {
  const high = Atomics.load(ints, H_HIGH_WATER);
  return high > 0 ? Math.min(high, CAPACITY) : 0;
}

/** Records a complete mapping of this thread; returns its entry, or -1 if the registry is full. */
function register(s: ThreadState, address: bigint, length: number): number {
  const { ints, doubles } = s.registry;
  for (let tried = 0; tried < CAPACITY; tried++) {
    const i = (s.hint + tried) % CAPACITY;
    if (Atomics.compareExchange(ints, stateAt(i), FREE, CLAIMED) !== FREE) continue;
    // Raised before the entry is LIVE, so that every sweep from now on sees it in its overlap check.
    for (let high = Atomics.load(ints, H_HIGH_WATER); high < i + 1; high = Atomics.load(ints, H_HIGH_WATER)) {
      if (Atomics.compareExchange(ints, H_HIGH_WATER, high, i + 1) === high) break;
    }
    ints[tidAt(i)] = s.self.tid;
    doubles[startAt(i)] = s.self.start;
    doubles[addressAt(i)] = Number(address);
    doubles[lengthAt(i)] = length; // last: a CLAIMED entry with a length names a whole mapping
    Atomics.store(ints, stateAt(i), LIVE);
    s.hint = i + 1;
    return i;
  }
  return -1;
}

/** Empties an entry (its mapping is gone, or was never this registry's to give back). */
function freeEntry(s: ThreadState, i: number): void {
  const { ints, doubles } = s.registry;
  doubles[addressAt(i)] = 0;
  doubles[lengthAt(i)] = 0;
  Atomics.store(ints, stateAt(i), FREE);
  Atomics.notify(ints, stateAt(i));
  if (i < s.hint) s.hint = i;
}

/** Marks an entry of this thread RELEASING before its munmap, waiting while another thread wipes it in place. */
function beginRelease(s: ThreadState, i: number): void {
  const { ints } = s.registry;
  for (;;) {
    const word = Atomics.compareExchange(ints, stateAt(i), LIVE, RELEASING);
    if ((word & STATE_MASK) !== BUSY) return; // LIVE (now RELEASING), or rewritten by someone else: unmap anyway
    Atomics.wait(ints, stateAt(i), word, 10);
  }
}

/** What one sweep learns once: which threads still run, the kernel's memshield-like mappings, the ranges in use. */
interface Sweep {
  s: ThreadState;
  alive: Map<string, boolean>;
  /** From one read of smaps; null: unreadable this time. */
  runs?: AddressRuns | null;
  /** Every entry's range [start, end) with its index, sorted by start (read after `runs`). */
  ranges?: Array<[number, number, number]>;
}

function threadAlive(sweep: Sweep, tid: number, start: number): boolean {
  const key = `${tid}:${start}`;
  let alive = mapGet(sweep.alive, key);
  if (alive === undefined) {
    alive = sweep.s.calls.threadAlive({ tid, start });
    mapSet(sweep.alive, key, alive);
  }
  return alive;
}

/** Who made entry i: this thread, another that still runs, or one that ended. */
function ownerOf(sweep: Sweep, i: number): 'self' | 'running' | 'ended' {
  const { ints, doubles } = sweep.s.registry;
  const tid = ints[tidAt(i)];
  const start = doubles[startAt(i)];
  if (tid === sweep.s.self.tid && start === sweep.s.self.start) return 'self';
  return threadAlive(sweep, tid, start) ? 'running' : 'ended';
}

/** The ranges of every entry in use, sorted (for the overlap check). */
function rangesInUse(s: ThreadState): Array<[number, number, number]> {
  const { ints, doubles } = s.registry;
  const ranges: Array<[number, number, number]> = [];
  for (let i = 0, high = highWater(ints); i < high; i++) {
    if (Atomics.load(ints, stateAt(i)) === FREE) continue;
    const address = doubles[addressAt(i)];
    const length = doubles[lengthAt(i)];
    if (length > 0) ranges.push([address, address + length, i]);
  }
  return ranges.sort((a, b) => a[0] - b[0]);
}

/**
 * What to do with entry i, which the registry says another thread made: 'act' (it is memshield's
 * as far as the kernel shows), 'drop' (it names nothing of ours: forged, or its mapping already
 * gone), or 'later' (smaps unreadable now: cannot tell).
 */
function verdict(sweep: Sweep, i: number): 'act' | 'drop' | 'later' {
  const { s } = sweep;
  const address = s.registry.doubles[addressAt(i)];
  const length = s.registry.doubles[lengthAt(i)];
  const page = s.calls.pageSize;
  if (!Number.isSafeInteger(address) || !Number.isSafeInteger(length) || address <= 0 || length <= 0) return 'drop';
  if (address % page !== 0 || length % page !== 0 || address + length > 2 ** 56) return 'drop';
  // smaps first, then the entries: a mapping that smaps shows dump-excluded had its entry written
  // before (memshield registers a mapping before advising it), so the overlap check sees it.
  if (sweep.runs === undefined) {
    sweep.runs = s.calls.dumpExcludedRuns() ?? null;
    sweep.ranges = rangesInUse(s);
  }
  if (sweep.runs === null) return 'later';
  const end = address + length;
  for (const [otherStart, otherEnd, other] of sweep.ranges!) {
    if (otherStart >= end) break;
    // Over a running thread's entry (or this one's): forged, or stale (its munmap done, the
    // address mapped again since). Two entries of ended threads can overlap for the same reason
    // (the stale one's thread was stopped between its munmap and freeing its entry): each is
    // judged by the kernel's view, and a range released once is cut out of `runs` below.
    if (other !== i && otherEnd > address && ownerOf(sweep, other) !== 'ended') return 'drop';
  }
  return insideOneRun(sweep.runs, address, length) ? 'act' : 'drop';
}

/** Whether [address, address + length) lies wholly inside one run. */
function insideOneRun(runs: AddressRuns, address: number, length: number): boolean {
  let low = 0;
  let high = runs.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [start, end] = runs[middle];
    if (address < start) high = middle - 1;
    else if (address >= end) low = middle + 1;
    else return address + length <= end;
  }
  return false;
}

/** Removes [address, address + length) from the run holding it (it was unmapped). */
function cutOut(runs: AddressRuns, address: number, length: number): void {
  const at = runs.findIndex(([start, end]) => start <= address && address < end);
  if (at < 0) return;
  const [start, end] = runs[at];
  const pieces: AddressRuns = [];
  if (start < address) pieces.push([start, address]);
  if (address + length < end) pieces.push([address + length, end]);
  runs.splice(at, 1, ...pieces);
}

/** Entries of ended threads, each taken (BUSY by this thread) before it is yielded. */
function* takeEndedThreadsEntries(sweep: Sweep): Generator<number> {
  const { ints, doubles } = sweep.s.registry;
  for (let i = 0, high = highWater(ints); i < high; i++) {
    const word = Atomics.load(ints, stateAt(i));
    const state = word & STATE_MASK;
    if (state === FREE || ownerOf(sweep, i) !== 'ended') continue;
    if (state === BUSY && threadAlive(sweep, word >>> STATE_BITS, -1)) continue; // another sweep is on it
    if (state === CLAIMED && doubles[lengthAt(i)] === 0) {
      // Its thread ended before it wrote the mapping in: nothing to give back from here.
      if (Atomics.compareExchange(ints, stateAt(i), word, busyBy(sweep.s.self.tid)) === word) freeEntry(sweep.s, i);
      continue;
    }
    if (Atomics.compareExchange(ints, stateAt(i), word, busyBy(sweep.s.self.tid)) === word) yield i;
  }
}

/**
 * Gives back the mappings of every thread that no longer runs: resident pages zeroed, then
 * munlock and munmap, then the entry freed. Returns how many mappings it released.
 */
export function releaseEndedThreads(): number {
  const s = threadState();
  if (!s) return 0;
  const { ints, doubles } = s.registry;
  const sweep: Sweep = { s, alive: newMap() };
  let released = 0;
  for (const i of takeEndedThreadsEntries(sweep)) {
    const judged = verdict(sweep, i);
    if (judged === 'act') {
      // An munmap that fails leaves the entry for the next sweep.
      if (s.calls.release(BigInt(doubles[addressAt(i)]), doubles[lengthAt(i)]) !== 0) {
        Atomics.store(ints, stateAt(i), LIVE);
        continue;
      }
      released++;
      // no longer memshield's: a stale twin entry must not unmap it again
      cutOut(sweep.runs!, doubles[addressAt(i)], doubles[lengthAt(i)]);
    }
    // its thread ended: LIVE, RELEASING or CLAIMED all mean "give back"
    if (judged === 'later') Atomics.store(ints, stateAt(i), LIVE);
    else freeEntry(s, i);
  }
  return released;
}

/**
 * At the end of the process: releases what ended threads left, and zeroes in place the resident
 * pages of threads still running (they may be inside a scoped access: no protection changes, no
 * unmapping). Returns how many mappings it wiped or released.
 */
export function wipeEveryThread(): number {
  const s = threadState();
  if (!s) return 0;
  const { ints, doubles } = s.registry;
  let done = releaseEndedThreads();
  const sweep: Sweep = { s, alive: newMap() };
  for (let i = 0, high = highWater(ints); i < high; i++) {
    if (Atomics.load(ints, stateAt(i)) !== LIVE || ownerOf(sweep, i) !== 'running') continue;
    if (Atomics.compareExchange(ints, stateAt(i), LIVE, busyBy(s.self.tid)) !== LIVE) continue;
    if (verdict(sweep, i) === 'act') {
      s.calls.wipeInPlace(BigInt(doubles[addressAt(i)]), doubles[lengthAt(i)]);
      done++;
    }
    Atomics.store(ints, stateAt(i), LIVE);
    Atomics.notify(ints, stateAt(i));
  }
  return done;
}

/**
 * The native host with every mapping recorded in the registry (where the platform supports it):
 * `map` records after mapping, `unmap` forgets only after unmapping.
 */
export function trackThreadRegions(host: Host): Host {
  if (!threadState() && !setupFailure) return host; // nothing to record into, for good
  const entries = newMap<number, { entry: number; length: number }>(); // through the captured Map methods
  return {
    ...host,
    map(length, alignment, protection, flags) {
      const s = threadState(); // set up again if it failed for a passing reason
      if (!s && setupFailure && !threads!.isMainThread) {
        // A worker's untracked mapping would outlive its terminate(): fail as the OS did (EMFILE…).
        return -setupFailure;
      }
      const id = host.map(length, alignment, protection, flags);
      if (id < 0 || !s) return id; // the main thread's mappings: nobody else gives them back anyway
      const entry = register(s, host.address(id), length);
      if (entry < 0) {
        host.unmap(id); // nothing half done: an untracked mapping would outlive a terminated worker
        return -12; // ENOMEM: 65536 live mappings, the kernel's default vm.max_map_count
      }
      mapSet(entries, id, { entry, length });
      return id;
    },
    unmap(id) {
      const s = threadState();
      const tracked = mapGet(entries, id);
      if (!s || !tracked) return host.unmap(id);
      // Out of the registry only once unmapped: a terminate() in between leaves the entry
      // RELEASING, and the next sweep finishes the release (nothing locked is left behind).
      beginRelease(s, tracked.entry);
      const result = host.unmap(id);
      if (result === 0) {
        freeEntry(s, tracked.entry);
        mapDelete(entries, id);
      } else {
        Atomics.store(s.registry.ints, stateAt(tracked.entry), LIVE); // still mapped: still tracked
      }
      return result;
    },
  };
}

/**
 * Watches this thread's workers: when one ends, the mappings of every ended thread are given
 * back. In the main thread, joins the process coordinator too, to wipe every thread at the end.
 * Runs when memshield is loaded: workers started before that are not watched.
 */
function watchWorkers(): void {
  const proc = (
    globalThis as {
      process?: {
        on?: (event: string, listener: (worker: { once(event: string, listener: () => void): void }) => void) => void;
      };
    }
  ).process;
  if (!registry || typeof proc?.on !== 'function') return;
  let joined = false;
  proc.on('worker', (worker) => {
    worker.once('exit', () => void releaseEndedThreads());
    if (threads!.isMainThread && !joined) {
      joined = true;
      joinProcessEnds({ wants: exitWipeWants, wipe: wipeEveryThread });
    }
  });
}
watchWorkers();
