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
// Layout (little-endian, in a SharedArrayBuffer of HEADER_BYTES + CAPACITY × ENTRY_BYTES):
//
//   ┌──────────── header, 16 bytes ─────────────┐┌──────────── entry i, 32 bytes ────────────────────────┐
//   │ version i32 │ capacity i32 │ highWater i32 ││ state i32 │ tid i32 │ start f64 │ address f64 │ length f64 │
//   │             │              │ │ (unused)    ││ FREE/CLAIMED/LIVE/BUSY │ thread tag │ the mapping       │
//   └─────────────────────────────────────────────┘└──────────────────────────────────────────────────────┘
//   highWater: one past the highest entry ever used (scans stop there). State changes are atomic
//   (Atomics.compareExchange); an entry is BUSY while another thread wipes or releases it.
import { createNativeThreadRegions } from '#native-host';
import type { ThreadRegionCalls, ThreadTag } from '../host/linux-thread-regions.js';
import { builtin } from '../host/node-builtins.js';
import type { Host } from '../host/types.js';
import { exitWipeWants } from './exit-settings.js';
import { processCoordinator } from './process-coordinator.js';

/** The environment-data key (a string: symbols do not cross threads). */
export const REGISTRY_KEY = 'memshield.thread-regions.v1';
const VERSION = 1;
// As many entries as mappings the default vm.max_map_count allows: every region is at least one.
const CAPACITY = 65536;
const HEADER_BYTES = 16;
const ENTRY_BYTES = 32;
const ENTRY_INTS = ENTRY_BYTES / 4;
const ENTRY_DOUBLES = ENTRY_BYTES / 8;

// Entry states.
const FREE = 0;
const CLAIMED = 1;
const LIVE = 2;
const BUSY = 3;

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
  if (typeof SharedArrayBuffer !== 'function' || typeof threads.getEnvironmentData !== 'function' || typeof threads.setEnvironmentData !== 'function') return undefined;
  let buffer = threads.getEnvironmentData(REGISTRY_KEY) as SharedArrayBuffer | undefined;
  const usable = buffer instanceof SharedArrayBuffer && new Int32Array(buffer, 0, 1)[H_VERSION] === VERSION;
  if (!usable) {
    buffer = new SharedArrayBuffer(HEADER_BYTES + CAPACITY * ENTRY_BYTES); // its pages are committed as entries are used
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
const TRANSIENT_TEXT = /too many open files|cannot allocate memory|resource temporarily unavailable|interrupted system call/i;
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
  if (!registry) return (state = undefined);
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

/** Records a mapping of this thread; returns its entry, or -1 if the registry is full. */
function register(s: ThreadState, address: bigint, length: number): number {
  const { ints, doubles } = s.registry;
  const capacity = ints[H_CAPACITY];
  for (let tried = 0; tried < capacity; tried++) {
    const i = (s.hint + tried) % capacity;
    if (Atomics.compareExchange(ints, stateAt(i), FREE, CLAIMED) !== FREE) continue;
    ints[tidAt(i)] = s.self.tid;
    doubles[startAt(i)] = s.self.start;
    doubles[addressAt(i)] = Number(address);
    doubles[lengthAt(i)] = length;
    Atomics.store(ints, stateAt(i), LIVE);
    for (let high = Atomics.load(ints, H_HIGH_WATER); high < i + 1; high = Atomics.load(ints, H_HIGH_WATER)) {
      if (Atomics.compareExchange(ints, H_HIGH_WATER, high, i + 1) === high) break;
    }
    s.hint = i + 1;
    return i;
  }
  return -1;
}

/** Drops an entry of this thread, waiting while another thread wipes it in place. */
function unregister(s: ThreadState, i: number): void {
  const { ints } = s.registry;
  while (Atomics.compareExchange(ints, stateAt(i), LIVE, FREE) === BUSY) Atomics.wait(ints, stateAt(i), BUSY, 10);
  if (i < s.hint) s.hint = i;
}

/** The entries of other threads, with whether each thread still runs (asked once per thread). */
function* othersEntries(s: ThreadState): Generator<{ i: number; alive: boolean }> {
  const { ints, doubles } = s.registry;
  const alive = new Map<string, boolean>();
  const high = Atomics.load(ints, H_HIGH_WATER);
  for (let i = 0; i < high; i++) {
    if (Atomics.load(ints, stateAt(i)) !== LIVE) continue;
    const tag = { tid: ints[tidAt(i)], start: doubles[startAt(i)] };
    if (tag.tid === s.self.tid && tag.start === s.self.start) continue;
    const key = `${tag.tid}:${tag.start}`;
    if (!alive.has(key)) alive.set(key, s.calls.threadAlive(tag));
    yield { i, alive: alive.get(key)! };
  }
}

/**
 * Gives back the mappings of every thread that no longer runs: resident pages zeroed, then
 * munlock and munmap. Returns how many mappings it released.
 */
export function releaseEndedThreads(): number {
  const s = threadState();
  if (!s) return 0;
  const { ints, doubles } = s.registry;
  let released = 0;
  for (const { i, alive } of othersEntries(s)) {
    if (alive || Atomics.compareExchange(ints, stateAt(i), LIVE, BUSY) !== LIVE) continue;
    // An munmap that fails leaves the entry for the next sweep.
    const result = s.calls.release(BigInt(doubles[addressAt(i)]), doubles[lengthAt(i)]);
    Atomics.store(ints, stateAt(i), result === 0 ? FREE : LIVE);
    if (result === 0) released++;
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
  for (const { i, alive } of othersEntries(s)) {
    if (!alive || Atomics.compareExchange(ints, stateAt(i), LIVE, BUSY) !== LIVE) continue;
    s.calls.wipeInPlace(BigInt(doubles[addressAt(i)]), doubles[lengthAt(i)]);
    Atomics.store(ints, stateAt(i), LIVE);
    Atomics.notify(ints, stateAt(i));
    done++;
  }
  return done;
}

/**
 * The native host with every mapping recorded in the registry (where the platform supports it):
 * `map` records after mapping, `unmap` forgets before unmapping (and records again if it failed).
 */
export function trackThreadRegions(host: Host): Host {
  if (!threadState() && !setupFailure) return host; // nothing to record into, for good
  const entries = new Map<number, { entry: number; length: number }>();
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
      entries.set(id, { entry, length });
      return id;
    },
    unmap(id) {
      const s = threadState();
      const tracked = entries.get(id);
      if (!s || !tracked) return host.unmap(id);
      if (tracked.entry >= 0) unregister(s, tracked.entry);
      const result = host.unmap(id);
      if (result === 0) entries.delete(id);
      else tracked.entry = register(s, host.address(id), tracked.length); // still mapped: tracked again (-1 if the registry filled meanwhile)
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
  const proc = (globalThis as { process?: { on?: (event: string, listener: (worker: { once(event: string, listener: () => void): void }) => void) => void } }).process;
  if (!registry || typeof proc?.on !== 'function') return;
  let joined = false;
  proc.on('worker', (worker) => {
    worker.once('exit', () => void releaseEndedThreads());
    if (threads!.isMainThread && !joined) {
      joined = true;
      processCoordinator().join({ wants: exitWipeWants, wipe: wipeEveryThread });
    }
  });
}
watchWorkers();
