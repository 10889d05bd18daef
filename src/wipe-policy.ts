// The public layer's half of the heap's wipe policy: WHEN freed heap slots are wiped, and how a
// wipe the OS refused is RETRIED. (What a wipe writes and how much is wiped at once is the core's
// half, assembly/wipe-policy.ts.)
//
// When: a dispose only marks its slot pending (no system call); the pending slots of a heap are
// wiped at the end of the tick in which the first of them was freed (a microtask), or earlier by
// flush(), and before an alloc that needs room, trim() and destroy().
// Retry: a refused wipe (its pages could not be opened, e.g. vm.max_map_count reached) is reported
// once as a process warning and retried WIPE_RETRY_DELAY_MS later on a later turn of the event
// loop, never in the same microtask checkpoint; the timer keeps no process alive (the exit wipe
// covers a process that ends meanwhile).

import { Status } from './generated/core-numbers.js';

/** Milliseconds between a refused end-of-tick wipe and the next try. */
export const WIPE_RETRY_DELAY_MS = 10;

/** What an end-of-tick wipe does: the heap's flush and what to say about it. */
export interface EndOfTickWipeCalls {
  /** Wipes the pending slots now: a core status (Status.OK when done). */
  wipe(): number;
  /** Reports the first refusal of a series (`status`, non-zero). */
  warnRefused(status: number): void;
  /** Runs after every try, whatever it returned (e.g. to announce canary damage found). */
  after(): void;
}

/** The end-of-tick wipe of one heap, scheduled at most once at a time. */
export class EndOfTickWipe {
  readonly #calls: EndOfTickWipeCalls;
  #scheduled = false;
  #refused = false; // the last try was refused (warned once; retrying)

  constructor(calls: EndOfTickWipeCalls) {
    this.#calls = calls;
  }

  /** A slot was freed: wipe at the end of this tick, unless a wipe is already on its way. */
  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#run());
  }

  #run(): void {
    this.#scheduled = false;
    const status = this.#calls.wipe();
    if (status === Status.OK) {
      this.#refused = false;
    } else {
      if (!this.#refused) this.#calls.warnRefused(status);
      this.#refused = true;
      this.#scheduled = true;
      const timer = setTimeout(() => this.#run(), WIPE_RETRY_DELAY_MS) as { unref?: () => void };
      timer.unref?.();
    }
    this.#calls.after();
  }
}
