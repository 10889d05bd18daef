// The secret table: one record per SecureBuffer, in a handle table (handle-table.ts) like the
// region table. A secret lives either in a region of its own (standalone SecureBuffer, or a
// heap secret too large for a slot) or in a slot of a heap arena.
//
//  record (SECRET_RECORD_SIZE = 48 bytes)
//  0        4        8        12       16       20       24       28       32                 40                 48
//  ├────────┼────────┼────────┼────────┼────────┼────────┼────────┼────────┼──────────────────┼──────────────────┤
//  │ gener- │ link   │ heap   │ region │ page   │ slot   │ open   │ flags  │ size (u64)       │ data offset (u64)│
//  │ ation  │ (table)│ or NONE│ / arena│ record │ index  │ count  │        │                  │ in the mapping   │
//  └────────┴────────┴────────┴────────┴────────┴────────┴────────┴────────┴──────────────────┴──────────────────┘
//  region / arena: the region slot (own region) or the arena index (heap slot).
//  open count: use()/update() calls of this secret still running (they nest).

import { HandleTable, HEADER_SIZE } from "./handle-table";

export const SECRET_RECORD_SIZE: usize = 48;
const HEAP: usize = HEADER_SIZE;
const OWNER: usize = 12;
const PAGE: usize = 16;
const SLOT: usize = 20;
const OPEN: usize = 24;
const FLAGS: usize = 28;
const SIZE: usize = 32;
const DATA_OFFSET: usize = 40;

export const SECRET_IN_SLOT: u32 = 1 << 0; // in a heap slot (else in a region of its own)
export const SECRET_PURGE_PENDING: u32 = 1 << 1; // purge() found it open: freed when its last scope closes

export const NO_HEAP: u32 = 0xffffffff;

const secrets = new HandleTable(SECRET_RECORD_SIZE, 64, true);

/** The generation of the secret made last (a handle is index + generation). */
export let createdGeneration: u32 = 0;

// @ts-ignore: decorator
@inline function recordOf(secret: u32): usize { return secrets.recordOf(secret); }

// @ts-ignore: decorator
@inline export function secretGeneration(secret: u32): u32 { return secrets.generationOf(secret); }
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

/** True once purge() found the secret open (it is freed when its last use()/update() returns). */
// @ts-ignore: decorator
@inline export function secretPurgePending(secret: u32): bool {
  return (secretFlags(secret) & SECRET_PURGE_PENDING) != 0;
}
// @ts-ignore: decorator
@inline export function markSecretPurgePending(secret: u32): void {
  store<u32>(recordOf(secret) + FLAGS, secretFlags(secret) | SECRET_PURGE_PENDING);
}

/** Number of records ever used: live ones are below this. */
export function secretSlotCount(): u32 { return secrets.count(); }

/** Live secrets (standalone and in heaps). */
export function liveSecrets(): u32 { return secrets.live(); }

// @ts-ignore: decorator
@inline export function secretIsLive(secret: u32): bool { return secrets.isLive(secret); }

/** Takes a record (reusing a released one first) and fills it; sets createdGeneration. */
export function claimSecret(
  flags: u32, heapIndex: u32, owner: u32, page: usize, slot: u32, size: u64, dataOffset: u64,
): u32 {
  const secret = secrets.claim();
  const record = recordOf(secret);
  store<u32>(record + FLAGS, flags);
  store<u32>(record + HEAP, heapIndex);
  store<u32>(record + OWNER, owner);
  store<usize>(record + PAGE, page);
  store<u32>(record + SLOT, slot);
  store<u32>(record + OPEN, 0);
  store<u64>(record + SIZE, size);
  store<u64>(record + DATA_OFFSET, dataOffset);
  createdGeneration = secrets.generationOf(secret);
  return secret;
}

/** Releases a record; its generation moves on so old handles read as freed. */
export function releaseSecret(secret: u32): void {
  const record = recordOf(secret);
  store<u32>(record + FLAGS, 0);
  store<u32>(record + OPEN, 0);
  secrets.release(secret);
}

/** Classifies a secret handle; changes nothing. */
export function checkSecretHandle(secret: u32, generation: u32): i32 {
  return secrets.check(secret, generation);
}
