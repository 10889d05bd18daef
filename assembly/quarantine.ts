// The quarantine of freed address ranges: a secret's region, once wiped, is not unmapped but
// decommitted (its pages given back, its lock and advice dropped, the whole range NoAccess) and
// kept reserved here, oldest first, so that no later mapping — a new secret above all — lands at
// an address a stale view still points to: touching such a view faults instead of reading.
// Bounded in address space, not memory (a decommitted range holds none): when the reserved bytes
// pass the cap, or the ring is full, the oldest ranges are unmapped and their addresses can be
// reused again.
//
//  ring (ENTRY_SIZE bytes per entry, CAPACITY entries, allocated on first use)
//  ┌──────────────┬──────────────┬─ … ─┬──────────────┐   head: oldest entry
//  │ host id  i32 │ host id      │     │              │   count: entries in use
//  │ —        u32 │              │     │              │   reservedBytes: sum of their lengths
//  │ length   u64 │ length       │     │              │
//  └──────────────┴──────────────┴─ … ─┴──────────────┘
import { hostDecommit, hostUnmap } from "./host";
import { has, CAP_DECOMMIT } from "./machine";

const ENTRY_SIZE: usize = 16;
const HOST_ID: usize = 0;
const LENGTH: usize = 8;
/** Most ranges held at once: each is at least one kernel mapping (of vm.max_map_count's 65530). */
export const QUARANTINE_CAPACITY: u32 = 4096;
/** The default cap on reserved bytes: 16 MiB, about 1,365 small secrets (3 pages each). */
export const QUARANTINE_DEFAULT_BYTES: u64 = 16 << 20;

let ring: usize = 0;
let head: u32 = 0;
let count: u32 = 0;
let reservedBytes: u64 = 0;
let capBytes: u64 = QUARANTINE_DEFAULT_BYTES;
let evictedTotal: u64 = 0;

// @ts-ignore: decorator
@inline function entryAt(index: u32): usize { return ring + <usize>(index % QUARANTINE_CAPACITY) * ENTRY_SIZE; }

/** Ranges held now. */
export function quarantineCount(): u32 { return count; }
/** Bytes of address space held now. */
export function quarantineBytes(): u64 { return reservedBytes; }
/** The cap on held bytes (0: freed ranges are unmapped at once). */
export function quarantineCap(): u64 { return capBytes; }
/** Ranges unmapped because the cap or the ring was full (or drained), since the core started. */
export function quarantineEvicted(): u64 { return evictedTotal; }

/**
 * Unmaps the oldest range. Returns the host error; a range the kernel would not unmap (ENOMEM at
 * vm.max_map_count) stays held, to be tried again: the cap is then passed for a while, nothing leaks.
 */
function evictOldest(): i32 {
  const entry = entryAt(head);
  const error = hostUnmap(load<i32>(entry + HOST_ID));
  if (error) return error;
  reservedBytes -= load<u64>(entry + LENGTH);
  head = (head + 1) % QUARANTINE_CAPACITY;
  count--;
  evictedTotal++;
  return 0;
}

/** Unmaps the oldest ranges until `incoming` more bytes (and one more entry) fit under the cap. */
function makeRoom(incoming: u64): void {
  while (count > 0 && (count >= QUARANTINE_CAPACITY || reservedBytes + incoming > capBytes)) {
    if (evictOldest() != 0) break;
  }
}

/**
 * Gives a wiped mapping back: decommitted and held in the quarantine where the host can
 * decommit and the range fits under the cap, else unmapped at once. Returns the host error of
 * the call that gave it back (0: done); on an error the mapping is still there, as it was.
 */
export function retireMapping(id: i32, length: u64): i32 {
  if (!has(CAP_DECOMMIT) || length > capBytes) return hostUnmap(id);
  // A failed decommit leaves the mapping as it was (or, on Linux, possibly unmapped): unmap it.
  if (hostDecommit(id) != 0) return hostUnmap(id);
  makeRoom(length);
  if (count >= QUARANTINE_CAPACITY) return hostUnmap(id); // the kernel kept the oldest: no slot for this one
  if (ring == 0) ring = heap.alloc(<usize>QUARANTINE_CAPACITY * ENTRY_SIZE);
  const entry = entryAt(head + count);
  store<i32>(entry + HOST_ID, id);
  store<u64>(entry + LENGTH, length);
  count++;
  reservedBytes += length;
  return 0;
}

/** Sets the cap on held bytes; ranges past a lower cap are unmapped now. */
export function setQuarantineCap(bytes: u64): void {
  capBytes = bytes;
  makeRoom(0);
}

/** Unmaps every held range (process exit, purge). Returns how many it unmapped. */
export function drainQuarantine(): u32 {
  let drained: u32 = 0;
  while (count > 0 && evictOldest() == 0) drained++;
  return drained;
}
