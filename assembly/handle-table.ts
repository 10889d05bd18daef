// One table of fixed-size records with generation-checked handles: regions, secrets, heaps and
// (without handles) arenas each keep their records in one. The owner lays out its record after
// the table's 8-byte header and reads and writes its own fields; the table alone claims,
// releases, grows and checks.
//
//  records ─► ┌──────── record 0 ────────┬──────── record 1 ────────┬─ … ─┐
//             │ recordSize bytes         │                          │     │
//             └──────────────────────────┴──────────────────────────┴─────┘
//
//  record     0            4            8 (HEADER_SIZE)
//             ├────────────┼────────────┼──────── owner's fields … ───────┐
//             │ generation │ link       │                                  │
//             └────────────┴────────────┴──────────────────────────────────┘
//  link: LIVE while the record is in use; else the next free record (NONE ends the list), or
//  RETIRED for a record whose generation reached the ceiling: it is never used again.
//
// A handle is (index, generation). Releasing a record moves its generation on, so an old handle
// reads as freed instead of reaching the next record made there. Generations never wrap: a record
// whose generation would pass the ceiling is retired (2^32 - 1 reuses of one record first).

import { OK, INVALID_ARGUMENT, USE_AFTER_FREE, DOUBLE_FREE } from './status';

export const HEADER_SIZE: usize = 8;
const GENERATION: usize = 0;
const LINK: usize = 4;

export const NONE: u32 = 0xffffffff;
const LIVE: u32 = 0xfffffffe;
const RETIRED: u32 = 0xfffffffd;

// What a handle lookup found.
export const HANDLE_LIVE: i32 = 0;
export const HANDLE_FREED: i32 = 1; // the record was released since the handle was made
export const HANDLE_UNKNOWN: i32 = 2; // not a handle this core ever issued

/** The status a handle lookup means: OK, USE_AFTER_FREE (DOUBLE_FREE when freeing) or INVALID_ARGUMENT. */
export function statusOfHandle(state: i32, freeing: bool): i32 {
  if (state == HANDLE_LIVE) return OK;
  if (state == HANDLE_FREED) return freeing ? DOUBLE_FREE : USE_AFTER_FREE;
  return INVALID_ARGUMENT;
}

/** The last generation a record may have; lowered only by testOnlySetGenerationCeiling. */
let generationCeiling: u32 = 0xffffffff;
/** Test only: go back to generation 1 at the ceiling (the old wrap) instead of retiring. */
let wrapAtCeiling: bool = false;

/** Test only: lowers the generation ceiling of every table, or (wrap) restores the old wrap-around. */
export function setGenerationCeiling(ceiling: u32, wrap: bool): void {
  generationCeiling = ceiling;
  wrapAtCeiling = wrap;
}

export class HandleTable {
  private records: usize = 0;
  private capacity: u32 = 0;
  private used: u32 = 0; // records ever claimed; all below are live, free or retired
  private freeHead: u32 = NONE;
  private liveCount: u32 = 0;

  /**
   * @param recordSize - bytes per record, HEADER_SIZE included
   * @param firstCapacity - records allocated at the first claim (then doubled)
   * @param handles - records are named by handles (their generations matter; retire at the ceiling)
   */
  constructor(
    private recordSize: usize,
    private firstCapacity: u32,
    private handles: bool,
  ) {}

  @inline recordOf(index: u32): usize {
    return this.records + <usize>index * this.recordSize;
  }
  @inline generationOf(index: u32): u32 {
    return load<u32>(this.recordOf(index) + GENERATION);
  }
  @inline isLive(index: u32): bool {
    return index < this.used && load<u32>(this.recordOf(index) + LINK) == LIVE;
  }
  /** Records ever claimed: every live record's index is below this. */
  @inline count(): u32 {
    return this.used;
  }
  /** Live records. */
  @inline live(): u32 {
    return this.liveCount;
  }

  /** The first free record (NONE: none), for owners that choose which to reuse (claimFree). */
  firstFree(): u32 {
    return this.freeHead;
  }
  /** The free record after `index` on the free list. */
  nextFree(index: u32): u32 {
    return load<u32>(this.recordOf(index) + LINK);
  }

  /** Takes a record, reusing the last released one first; its generation is the handle's. */
  claim(): u32 {
    if (this.freeHead != NONE) return this.claimFree(this.freeHead, NONE);
    if (this.used == this.capacity) this.grow();
    const index = this.used++;
    store<u32>(this.recordOf(index) + GENERATION, 1); // generation 0 is never a valid handle
    return this.take(index);
  }

  /** Takes free record `index`, which follows `previous` on the free list (NONE: it is the head). */
  claimFree(index: u32, previous: u32): u32 {
    const after = this.nextFree(index);
    if (previous == NONE) this.freeHead = after;
    else store<u32>(this.recordOf(previous) + LINK, after);
    return this.take(index);
  }

  /** Returns a live record; its generation moves on, or it retires at the ceiling. */
  release(index: u32): void {
    const record = this.recordOf(index);
    assert(load<u32>(record + LINK) == LIVE);
    this.liveCount--;
    const generation = load<u32>(record + GENERATION);
    if (this.handles && generation >= generationCeiling) {
      if (!wrapAtCeiling) {
        store<u32>(record + LINK, RETIRED); // every handle it ever had stays freed
        return;
      }
      store<u32>(record + GENERATION, 0); // the old behaviour, for the control test: next is 1 again
    }
    store<u32>(record + GENERATION, load<u32>(record + GENERATION) + 1);
    store<u32>(record + LINK, this.freeHead);
    this.freeHead = index;
  }

  /** Classifies a handle; changes nothing. */
  check(index: u32, generation: u32): i32 {
    if (index >= this.used || generation == 0) return HANDLE_UNKNOWN;
    const current = this.generationOf(index);
    const link = load<u32>(this.recordOf(index) + LINK);
    if (generation == current) {
      if (link == LIVE) return HANDLE_LIVE;
      return link == RETIRED ? HANDLE_FREED : HANDLE_UNKNOWN; // moved on at release: never issued
    }
    // Generations only grow, so an older one was released; a newer one was never issued.
    return generation < current ? HANDLE_FREED : HANDLE_UNKNOWN;
  }

  private take(index: u32): u32 {
    store<u32>(this.recordOf(index) + LINK, LIVE);
    this.liveCount++;
    return index;
  }

  private grow(): void {
    const next: u32 = this.capacity == 0 ? this.firstCapacity : this.capacity << 1;
    const bytes = <usize>next * this.recordSize;
    this.records = this.records == 0 ? heap.alloc(bytes) : heap.realloc(this.records, bytes);
    this.capacity = next;
  }
}
