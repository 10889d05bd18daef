// The secret table: one record per SecureBuffer, addressed by generation-checked handles like
// the region table. A secret lives either in a region of its own (standalone SecureBuffer, or a
// heap secret too large for a slot) or in a slot of a heap arena.
//
//  record (SECRET_RECORD_SIZE = 48 bytes)
//  0        4        8        12       16       20       24       28       32                 40                 48
//  ├────────┼────────┼────────┼────────┼────────┼────────┼────────┼────────┼──────────────────┼──────────────────┤
//  │ gener- │ flags  │ heap   │ region │ page   │ slot   │ open   │ next   │ size (u64)       │ data offset (u64)│
//  │ ation  │        │ or NONE│ / arena│ record │ index  │ count  │ free   │                  │ in the mapping   │
//  └────────┴────────┴────────┴────────┴────────┴────────┴────────┴────────┴──────────────────┴──────────────────┘
//  region / arena: the region slot (own region) or the arena index (heap slot).
//  open count: use()/update() calls of this secret still running (they nest).

export const SECRET_RECORD_SIZE: usize = 48;
const GENERATION: usize = 0;
const FLAGS: usize = 4;
const HEAP: usize = 8;
const OWNER: usize = 12;
const PAGE: usize = 16;
const SLOT: usize = 20;
const OPEN: usize = 24;
const NEXT_FREE: usize = 28;
const SIZE: usize = 32;
const DATA_OFFSET: usize = 40;

export const SECRET_LIVE: u32 = 1 << 0;
export const SECRET_IN_SLOT: u32 = 1 << 1; // in a heap slot (else in a region of its own)

export const NO_HEAP: u32 = 0xffffffff;
const NO_SECRET: u32 = 0xffffffff;

let table: usize = 0;
let capacity: u32 = 0;
let slotCount: u32 = 0; // records ever used
let freeHead: u32 = NO_SECRET;
let liveCount: u32 = 0;

/** The generation of the secret made last (a handle is index + generation). */
export let createdGeneration: u32 = 0;

// @ts-ignore: decorator
@inline function recordOf(secret: u32): usize { return table + <usize>secret * SECRET_RECORD_SIZE; }

// @ts-ignore: decorator
@inline export function secretGeneration(secret: u32): u32 { return load<u32>(recordOf(secret) + GENERATION); }
// @ts-ignore: decorator
@inline export function secretFlags(secret: u32): u32 { return load<u32>(recordOf(secret) + FLAGS); }
// @ts-ignore: decorator
@inline export function secretHeap(secret: u32): u32 { return load<u32>(recordOf(secret) + HEAP); }
// @ts-ignore: decorator
@inline export function secretOwner(secret: u32): u32 { return load<u32>(recordOf(secret) + OWNER); }
// @ts-ignore: decorator
@inline export function secretPage(secret: u32): usize { return load<usize>(recordOf(secret) + PAGE); }
// @ts-ignore: decorator
@inline export function secretSlot(secret: u32): u32 { return load<u32>(recordOf(secret) + SLOT); }
// @ts-ignore: decorator
@inline export function secretOpen(secret: u32): u32 { return load<u32>(recordOf(secret) + OPEN); }
// @ts-ignore: decorator
@inline export function secretSize(secret: u32): u64 { return load<u64>(recordOf(secret) + SIZE); }
// @ts-ignore: decorator
@inline export function secretDataOffset(secret: u32): u64 { return load<u64>(recordOf(secret) + DATA_OFFSET); }
// @ts-ignore: decorator
@inline export function setSecretOpen(secret: u32, count: u32): void { store<u32>(recordOf(secret) + OPEN, count); }
// @ts-ignore: decorator
@inline export function secretInSlot(secret: u32): bool { return (secretFlags(secret) & SECRET_IN_SLOT) != 0; }

/** Number of records ever used: live ones are below this. */
export function secretSlotCount(): u32 { return slotCount; }
/** Live secrets. */
export function liveSecrets(): u32 { return liveCount; }

// @ts-ignore: decorator
@inline export function secretIsLive(secret: u32): bool { return (secretFlags(secret) & SECRET_LIVE) != 0; }

/** Takes a record (reusing a released one first) and fills it; sets createdGeneration. */
export function claimSecret(flags: u32, heapIndex: u32, owner: u32, page: usize, slot: u32, size: u64, dataOffset: u64): u32 {
  let secret: u32;
  if (freeHead != NO_SECRET) {
    secret = freeHead;
    freeHead = load<u32>(recordOf(secret) + NEXT_FREE);
  } else {
    if (slotCount == capacity) grow();
    secret = slotCount++;
    store<u32>(recordOf(secret) + GENERATION, 1); // generation 0 is never a valid handle
  }
  const record = recordOf(secret);
  store<u32>(record + FLAGS, flags | SECRET_LIVE);
  store<u32>(record + HEAP, heapIndex);
  store<u32>(record + OWNER, owner);
  store<usize>(record + PAGE, page);
  store<u32>(record + SLOT, slot);
  store<u32>(record + OPEN, 0);
  store<u32>(record + NEXT_FREE, NO_SECRET);
  store<u64>(record + SIZE, size);
  store<u64>(record + DATA_OFFSET, dataOffset);
  liveCount++;
  createdGeneration = load<u32>(record + GENERATION);
  return secret;
}

/** Releases a record; its generation moves on so old handles read as freed. */
export function releaseSecret(secret: u32): void {
  const record = recordOf(secret);
  assert(load<u32>(record + FLAGS) & SECRET_LIVE);
  store<u32>(record + FLAGS, 0);
  store<u32>(record + OPEN, 0);
  let generation = load<u32>(record + GENERATION) + 1;
  if (generation == 0) generation = 1; // after 2^32 frees of one record: skip the invalid 0
  store<u32>(record + GENERATION, generation);
  store<u32>(record + NEXT_FREE, freeHead);
  freeHead = secret;
  liveCount--;
}

// What a handle lookup found (as regions.ts).
export const SECRET_HANDLE_LIVE: i32 = 0;
export const SECRET_HANDLE_FREED: i32 = 1;
export const SECRET_HANDLE_UNKNOWN: i32 = 2;

/** Classifies a secret handle. */
export function checkSecretHandle(secret: u32, generation: u32): i32 {
  if (secret >= slotCount || generation == 0) return SECRET_HANDLE_UNKNOWN;
  const current = secretGeneration(secret);
  if (current == generation) return secretIsLive(secret) ? SECRET_HANDLE_LIVE : SECRET_HANDLE_UNKNOWN;
  return generation < current ? SECRET_HANDLE_FREED : SECRET_HANDLE_UNKNOWN;
}

function grow(): void {
  const next: u32 = capacity == 0 ? 64 : capacity << 1;
  const bytes = <usize>next * SECRET_RECORD_SIZE;
  table = table == 0 ? heap.alloc(bytes) : heap.realloc(table, bytes);
  capacity = next;
}
