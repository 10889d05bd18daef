// One coordinator per thread (globalThis is per thread) for every copy of memshield loaded in it:
// a dependency that pins its own memshield next to the application's loads a second copy, and
// two copies that each hooked the process ending would each wait for the other on a signal. The
// first copy to arm makes the coordinator and puts it on globalThis under a Symbol.for key; every
// copy joins it with its own wipe. Its shape is versioned (the key names version 1): a later
// version may add members, never change these.
//
// Process endings it hooks (each wipe runs every participant, each in its own try: one copy's
// failure never keeps another's secrets from being wiped):
// - 'exit': process.emit is wrapped so that the wipe runs before ANY 'exit' listener, whatever
//   their order, and even when one of them throws or calls process.exit() again; a prepended
//   'exit' listener and a wrapped process.reallyExit are the second and third ways in, for when
//   another library restores process.emit (signal-exit does on unload).
// - An uncaught exception no 'uncaughtException' listener handles: wiped from
//   'uncaughtExceptionMonitor' (which changes nothing about how the process ends), for runtimes
//   that end without 'exit' then (Deno).
// - Deno: the 'unload' event of globalThis, and an 'unhandledrejection' nobody prevented.
// - SIGINT, SIGTERM, SIGHUP (main thread only: workers get no signals): the signal-exit
//   convention. A library that wants to run something at a fatal signal listens for it, and
//   re-raises it only when every listener is such a library (listeners(signal).length equals the
//   count of them). memshield counts itself in that convention (process.__signal_exit_emitter__,
//   which signal-exit 3 keeps and signal-exit 4 reads), so with any mix of such libraries the
//   process still dies by the signal. A listener of the program's own means the program handles
//   the signal (Node's rule: no default exit): memshield then wipes nothing and leaves it alone.
import { builtin } from '../host/node-builtins.js';
import {
  apply,
  defineProperty,
  freeze,
  getOwnPropertyDescriptor,
  indexIn,
  isFrozen,
  newSet,
  newWeakSet,
  ownKeys,
  setAdd,
  setForEach,
  weakSetAdd,
  weakSetHas,
} from '../shared/intrinsics.js';

/** The ends a participant wipes at. */
export type ProcessEnd = 'exit' | 'signal';

/** One copy of memshield, as the coordinator sees it. */
export interface Participant {
  /** Whether this copy wants its secrets wiped at `end` (its configureExitWipe settings). */
  wants(end: ProcessEnd): boolean;
  /** Wipes every live secret of this copy; returns how many. */
  wipe(): number;
}

/** Version 1 of the coordinator kept on globalThis[COORDINATOR_KEY]. */
export interface CoordinatorV1 {
  readonly version: 1;
  /** Adds a copy (once) and puts the hooks its wishes need in place. */
  join(participant: Participant): void;
  /** Re-reads every participant's wishes: adds or removes hooks. */
  refresh(): void;
  /** Wipes every participant that wants `end`; returns how many secrets were wiped. */
  wipeAll(end: ProcessEnd): number;
}

/** The key of the coordinator on globalThis, shared by every copy through the symbol registry. */
export const COORDINATOR_KEY = Symbol.for('memshield.process-coordinator.v1');

/**
 * The fatal signals memshield wipes at: all three end a Node process by default (even under nohup:
 * Node resets dispositions at start).
 */
export const WIPE_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

type Listener = (...args: unknown[]) => void;
interface ProcessLike {
  pid: number;
  emit: (event: string | symbol, ...args: unknown[]) => boolean;
  reallyExit?: (code?: number) => void;
  on(event: string, listener: Listener): unknown;
  prependListener(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
  listeners(event: string): unknown[];
  listenerCount(event: string): number;
  kill(pid: number, signal: string): unknown;
  /** signal-exit 3's shared emitter; `count` is how many signal-exit-style listeners there are. */
  __signal_exit_emitter__?: { count: number };
}

/** signal-exit 4's shared emitter (its own count of loaded copies). */
const SIGNAL_EXIT_4_KEY = Symbol.for('signal-exit emitter');

function processObject(): ProcessLike | undefined {
  const candidate = (globalThis as { process?: ProcessLike }).process;
  return candidate && typeof candidate.on === 'function' && typeof candidate.listeners === 'function'
    ? candidate
    : undefined;
}

// The listener methods of the process as they were when memshield loaded (node's are
// EventEmitter.prototype's; Deno and Bun have their own): a program that replaces
// EventEmitter.prototype.on or process.on later cannot keep memshield from hearing a signal.
type ListenerMethod = 'on' | 'prependListener' | 'removeListener' | 'listeners' | 'listenerCount';
const loadedProcess = processObject();
const loadedMethods: Partial<Record<ListenerMethod, (...args: unknown[]) => unknown>> = {};
if (loadedProcess) {
  for (const name of ['on', 'prependListener', 'removeListener', 'listeners', 'listenerCount'] as const) {
    const method = (loadedProcess as unknown as Record<string, unknown>)[name];
    if (typeof method === 'function') loadedMethods[name] = method as (...args: unknown[]) => unknown;
  }
}

/** `proc[name](...args)` through the method captured at load when `proc` is the process memshield loaded in. */
function callProcess<T>(proc: ProcessLike, name: ListenerMethod, args: unknown[]): T {
  const method =
    proc === loadedProcess && loadedMethods[name] !== undefined
      ? loadedMethods[name]
      : ((proc as unknown as Record<string, unknown>)[name] as (...args: unknown[]) => unknown);
  return apply(method, proc, args) as T;
}

function isMainThread(): boolean {
  try {
    return builtin('node:worker_threads').isMainThread;
  } catch {
    return true; // a runtime without worker_threads has one thread
  }
}

/** The coordinator of this thread: the one a copy already made, or a new one. */
export function processCoordinator(): CoordinatorV1 {
  if (localCoordinator) return localCoordinator;
  const store = globalThis as Record<symbol, unknown>;
  const existing = store[COORDINATOR_KEY];
  if (existing !== undefined) {
    if (isCoordinatorShape(existing)) return existing;
    // Something else sits under the key (planted before memshield loaded, or a broken copy): do
    // not trust it with the wipes; this copy keeps a coordinator of its own.
    localCoordinator = createCoordinator();
    return localCoordinator;
  }
  const made = createCoordinator();
  // Not writable, not configurable: a second copy can only join this one.
  defineProperty(store, COORDINATOR_KEY, {
    value: made,
    enumerable: false,
    writable: false,
    configurable: false,
  });
  return made;
}

/** This copy's own coordinator when the one on globalThis failed the shape check. */
let localCoordinator: CoordinatorV1 | undefined;

/**
 * The coordinators this copy made. A brand no other module can add to: another copy's coordinator,
 * or a fake of the exact frozen shape planted before memshield loaded, is not in it.
 */
const madeHere = newWeakSet<object>(); // through the WeakSet methods captured at load
/** This copy's unpublished coordinator, when the shared one is not this copy's. */
let fallbackCoordinator: CoordinatorV1 | undefined;

/**
 * Joins the process coordinator with `participant`, and — when that coordinator was not made by
 * this copy (another copy's, or a planted fake that nothing can tell from one) — also a
 * coordinator of this copy's own that nobody else can reach, so that this copy's exit and signal
 * wipes never depend on foreign code. Both follow the signal-exit convention (each counts itself),
 * so the process still dies by the signal with both listening; a second wipe finds nothing live.
 */
export function joinProcessEnds(participant: Participant): void {
  const shared = processCoordinator();
  shared.join(participant);
  if (!weakSetHas(madeHere, shared)) {
    fallbackCoordinator ??= createCoordinator();
    fallbackCoordinator.join(participant);
  }
}

/** Re-reads this copy's wishes in every coordinator it joined (after configureExitWipe). */
export function refreshProcessEnds(): void {
  processCoordinator().refresh();
  fallbackCoordinator?.refresh();
}

/**
 * What every memshield copy's coordinator is: a frozen object whose own properties are exactly
 * version (1), join, refresh and wipeAll, all data properties, the three functions. Copies cannot
 * share a private brand, so a careful fake can still pass this; a copy that joins a coordinator it
 * did not make therefore also hooks the endings through one of its own (joinProcessEnds).
 */
function isCoordinatorShape(value: unknown): value is CoordinatorV1 {
  if (typeof value !== 'object' || value === null || !isFrozen(value)) return false;
  const keys = ownKeys(value);
  const expected = ['version', 'join', 'refresh', 'wipeAll'];
  if (keys.length !== expected.length) return false;
  // Index loops, not every/includes/for…of: array methods and iterators replaced after load change nothing here.
  for (let i = 0; i < expected.length; i++) {
    const key = expected[i];
    if (indexIn(keys as readonly string[], key) < 0) return false; // symbols among keys never match
    const descriptor = getOwnPropertyDescriptor(value, key);
    if (!descriptor || !('value' in descriptor)) return false;
    if (key === 'version' ? descriptor.value !== 1 : typeof descriptor.value !== 'function') return false;
  }
  return true;
}

function createCoordinator(): CoordinatorV1 {
  // Read and written through the Set methods captured at load: a replaced Set.prototype.add or
  // iterator cannot keep a copy's secrets out of the wipe.
  const participants = newSet<Participant>();
  let exitHooked = false;
  let signalsHooked = false;
  let originalEmit: ProcessLike['emit'] | undefined;
  let originalReallyExit: ProcessLike['reallyExit'];
  let emitWrapper: ProcessLike['emit'] | undefined;
  let reallyExitWrapper: ProcessLike['reallyExit'];

  function wipeAll(end: ProcessEnd): number {
    let wiped = 0;
    setForEach(participants, (participant) => {
      try {
        if (participant.wants(end)) wiped += participant.wipe();
      } catch {
        // Nothing to report to at this point; the next copy's secrets still get wiped.
      }
    });
    return wiped;
  }
  const wipeAtExit = () => void wipeAll('exit');
  // Only when the exception will end the process: an 'uncaughtException' listener keeps it alive.
  const wipeAtUncaught = () => {
    const proc = processObject();
    if (proc && callProcess<number>(proc, 'listenerCount', ['uncaughtException']) === 0) wipeAtExit();
  };
  // Deno ends on an unhandled rejection unless a listener prevented that before this one.
  const wipeAtRejection = (event: unknown) => {
    if (!(event as { defaultPrevented?: boolean }).defaultPrevented) wipeAtExit();
  };

  function hookExit(proc: ProcessLike): void {
    callProcess(proc, 'prependListener', ['exit', wipeAtExit]);
    originalEmit = proc.emit;
    const emit = originalEmit;
    // Before every 'exit' listener, whatever order they were added in.
    // Reflect.apply captured at load over `arguments`: no spread (array iteration) and no .call, which
    // code could replace after load (a spread that lost the arguments of 'newListener' once kept
    // node from ever watching the signals memshield listens for).
    proc.emit = emitWrapper = function emitWipingFirst(this: unknown, event: string | symbol) {
      if (event === 'exit') wipeAtExit();
      // biome-ignore lint/complexity/noArguments: every argument passed on, as given, without iterating them
      return apply(emit, this, arguments) as boolean;
    } as ProcessLike['emit'];
    if (typeof proc.reallyExit === 'function') {
      originalReallyExit = proc.reallyExit;
      const reallyExit = originalReallyExit;
      // process.exit() called again from an 'exit' listener goes straight here.
      proc.reallyExit = reallyExitWrapper = function reallyExitWipingFirst(this: unknown, code?: number) {
        wipeAtExit();
        return apply(reallyExit, this, [code]);
      };
    }
    callProcess(proc, 'on', ['uncaughtExceptionMonitor', wipeAtUncaught]);
    const deno = globalThis as {
      Deno?: unknown;
      addEventListener?: (type: string, listener: (event: unknown) => void) => void;
    };
    if (typeof deno.Deno === 'object' && typeof deno.addEventListener === 'function') {
      deno.addEventListener('unload', wipeAtExit);
      deno.addEventListener('unhandledrejection', wipeAtRejection);
    }
    exitHooked = true;
  }

  function unhookExit(proc: ProcessLike): void {
    callProcess(proc, 'removeListener', ['exit', wipeAtExit]);
    // Restore only what is still this coordinator's own wrapper: another library (or another
    // coordinator) may have wrapped it since.
    if (originalEmit && proc.emit === emitWrapper) proc.emit = originalEmit;
    if (originalReallyExit && proc.reallyExit === reallyExitWrapper) proc.reallyExit = originalReallyExit;
    callProcess(proc, 'removeListener', ['uncaughtExceptionMonitor', wipeAtUncaught]);
    const deno = globalThis as { removeEventListener?: (type: string, listener: (event: unknown) => void) => void };
    if (typeof deno.removeEventListener === 'function') {
      deno.removeEventListener('unload', wipeAtExit);
      deno.removeEventListener('unhandledrejection', wipeAtRejection);
    }
    exitHooked = false;
  }

  /** How many listeners of a signal belong to signal-exit-style libraries (memshield included). */
  function exitStyleListeners(proc: ProcessLike): number {
    const version4 = (globalThis as Record<symbol, { count?: unknown } | undefined>)[SIGNAL_EXIT_4_KEY];
    const version3 = proc.__signal_exit_emitter__;
    return (
      (typeof version4?.count === 'number' ? version4.count : 0) +
      (typeof version3?.count === 'number' ? version3.count : 0)
    );
  }

  function onSignal(signal: unknown): void {
    const proc = processObject();
    if (!proc || typeof signal !== 'string') return;
    // A listener that is not signal-exit-style: the program handles this signal itself.
    if (callProcess<unknown[]>(proc, 'listeners', [signal]).length !== exitStyleListeners(proc)) return;
    wipeAll('signal');
    unhookSignals(proc);
    // The last listener re-raises, with the default action back: the process dies by the signal.
    // Others still listening are signal-exit-style and re-raise it after us.
    // Windows cannot raise SIGHUP; SIGINT ends the process there too (signal-exit does the same).
    const raised = signal === 'SIGHUP' && (proc as { platform?: string }).platform === 'win32' ? 'SIGINT' : signal;
    if (callProcess<number>(proc, 'listenerCount', [signal]) === 0) proc.kill(proc.pid, raised);
  }

  function hookSignals(proc: ProcessLike): void {
    // signal-exit 3's shape (an EventEmitter with count and emitted), so that it can adopt it.
    if (typeof proc.__signal_exit_emitter__?.count !== 'number') {
      const emitter = new (builtin('node:events').EventEmitter)() as unknown as { count: number; emitted: object };
      emitter.count = 0;
      emitter.emitted = {};
      proc.__signal_exit_emitter__ = emitter;
    }
    // Index loops over the frozen list: array iteration replaced after load cannot skip a signal.
    let added = 0;
    try {
      for (; added < WIPE_SIGNALS.length; added++) callProcess(proc, 'on', [WIPE_SIGNALS[added], onSignal]);
    } catch {
      // a runtime that cannot listen for these
      for (let i = 0; i < added; i++) callProcess(proc, 'removeListener', [WIPE_SIGNALS[i], onSignal]);
      return;
    }
    proc.__signal_exit_emitter__!.count += 1;
    signalsHooked = true;
  }

  function unhookSignals(proc: ProcessLike): void {
    if (!signalsHooked) return;
    for (let i = 0; i < WIPE_SIGNALS.length; i++) callProcess(proc, 'removeListener', [WIPE_SIGNALS[i], onSignal]);
    proc.__signal_exit_emitter__!.count -= 1;
    signalsHooked = false;
  }

  function wanted(end: ProcessEnd): boolean {
    let any = false;
    setForEach(participants, (participant) => {
      any ||= participant.wants(end);
    });
    return any;
  }

  function refresh(): void {
    const proc = processObject();
    if (!proc) return; // browsers: no process to end
    if (wanted('exit') !== exitHooked) (exitHooked ? unhookExit : hookExit)(proc);
    const signals = wanted('signal') && isMainThread();
    if (signals !== signalsHooked) (signalsHooked ? unhookSignals : hookSignals)(proc);
  }

  const coordinator: CoordinatorV1 = freeze({
    version: 1 as const,
    join(participant: Participant) {
      setAdd(participants, participant);
      refresh();
    },
    refresh,
    wipeAll,
  });
  weakSetAdd(madeHere, coordinator);
  return coordinator;
}
