// Leak reports: a SecureBuffer (standalone or in a heap) or a SecureHeap that the garbage collector
// reclaims without dispose()/destroy() is a leak — its locked pages stayed taken until the GC ran,
// which may be never. The finalizer wipes and frees what it can (a standalone buffer: wiped and
// unmapped; a heap slot: freed, wiped by the heap's end-of-tick wipe; a heap: destroyed), then
// reports it as a process warning, code MEMSHIELD_LEAK:
//   - with tracing on (MEMSHIELD_TRACE_LEAKS=1 or configureLeakReports({ trace: true })), one
//     warning per leak naming where it was created: a stack captured when it was made (that costs
//     a few microseconds per allocation, so it is off by default);
//   - without it, one warning for the whole process, with the count so far and how to turn
//     tracing on.
import { emitCodedWarning } from './emit-warning.js';
import { invalidArgument } from './errors.js';
import { describeValue } from './validate.js';
import { readOptions } from '../shared/options.js';

/** The environment variable that turns tracing on at load (1, on or true; 0, off or false). */
export const TRACE_LEAKS_ENV = 'MEMSHIELD_TRACE_LEAKS';
/** The code of every leak warning. */
export const LEAK_WARNING_CODE = 'MEMSHIELD_LEAK';

/** Options of {@link configureLeakReports}. */
export interface LeakReportOptions {
  /**
   * Capture where each SecureBuffer and SecureHeap is created, so a leak warning names the line
   * (default: MEMSHIELD_TRACE_LEAKS, else false). Applies to those created from now on.
   */
  trace?: boolean;
}

/** What a leak finalizer knows: how to free the leaked thing, and what to call it. */
export interface LeakedThing {
  /** Frees what is still live; returns false if it was already gone (destroyed, purged, exit wipe). */
  free(): boolean;
  /** `a SecureBuffer of 32 bytes`, `a SecureHeap`. */
  what: string;
  /** The call that should have freed it: `dispose()`, `destroy()`. */
  release: string;
  /** The creation stack, when tracing was on at creation. */
  site?: string;
}

function readTraceDefault(): boolean {
  let value: string | undefined;
  try {
    value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[TRACE_LEAKS_ENV];
  } catch {
    return false; // Deno without --allow-env: tracing stays off
  }
  return value !== undefined && ['1', 'on', 'true', 'yes'].includes(value.toLowerCase());
}

let tracing = readTraceDefault();
let untracedLeaks = 0; // leaks found without a creation site
let countWarned = false; // the one untraced warning was emitted

/**
 * Chooses whether memshield captures where each SecureBuffer and SecureHeap is created, so that
 * one collected without dispose()/destroy() is reported with its creation site. Without tracing
 * a leak is still wiped, freed and reported (once per process, with a count).
 * @param options - `{ trace: boolean }`
 * @throws {MemoryProtectionError} INVALID_ARGUMENT for anything else
 * @example
 * configureLeakReports({ trace: true }); // or run with MEMSHIELD_TRACE_LEAKS=1
 */
export function configureLeakReports(options: LeakReportOptions): void {
  if (options === undefined)
    throw invalidArgument('configureLeakReports needs an object { trace?: boolean }, got undefined');
  const opts = readOptions<LeakReportOptions>(options, 'configureLeakReports options', ['trace']);
  if (opts.trace !== undefined && typeof opts.trace !== 'boolean')
    throw invalidArgument(`configureLeakReports: trace must be true or false, got ${describeValue(opts.trace)}`);
  if (opts.trace !== undefined) tracing = opts.trace;
}

/**
 * The directory of this file: frames inside memshield are left out of a creation site. Asked only
 * when tracing: a Web Worker or workerd bundle may have an import.meta.url no URL can be built on.
 */
function ownFiles(): string | undefined {
  try {
    return new URL('.', import.meta.url).href;
  } catch {
    return undefined;
  }
}

/** Where the caller is creating a secret, as stack lines outside memshield; undefined when not tracing. */
export function creationSite(): string | undefined {
  if (!tracing) return undefined;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40; // memshield's own frames come first; keep enough of the caller's
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const own = ownFiles();
  const lines = stack
    .split('\n')
    .slice(1)
    .filter((line) => own === undefined || !line.includes(own));
  return lines.slice(0, 8).join('\n');
}

const leaks = new FinalizationRegistry<LeakedThing>((leaked) => {
  try {
    if (!leaked.free()) return; // already wiped by its heap, purge() or the exit wipe: no leak
  } catch {
    // a finalizer has nobody to throw to; the report below still says it leaked
  }
  if (leaked.site !== undefined) {
    emitCodedWarning(
      `${leaked.what} was garbage-collected without ${leaked.release}; memshield wiped and freed it ` +
        `then (its locked memory was held until this collection). It was created at:\n${leaked.site}`,
      LEAK_WARNING_CODE,
      'MemshieldLeakWarning',
    );
    return;
  }
  untracedLeaks++;
  if (countWarned) return;
  countWarned = true;
  // One warning per process, after the leaks the same collection found have been counted.
  setTimeout(() => {
    emitCodedWarning(
      `${untracedLeaks} SecureBuffer or SecureHeap ${untracedLeaks === 1 ? 'object was' : 'objects were'} ` +
        'garbage-collected without dispose()/destroy(); ' +
        `memshield wiped and freed ${untracedLeaks === 1 ? 'it' : 'them'} ` +
        `then, but held locked memory until the collection. Run with ${TRACE_LEAKS_ENV}=1 ` +
        '(or call configureLeakReports({ trace: true })) to get a warning naming where each was created. ' +
        'Further leaks are not announced.',
      LEAK_WARNING_CODE,
      'MemshieldLeakWarning',
    );
  }, 0);
});

/** Watches `target`: if it is collected before {@link forgetLeak}, `leaked` frees it and it is reported. */
export function watchForLeak(target: object, leaked: LeakedThing): void {
  leaks.register(target, leaked, target);
}

/** Stops watching `target` (it was disposed or destroyed by its own call). */
export function forgetLeak(target: object): void {
  leaks.unregister(target);
}
