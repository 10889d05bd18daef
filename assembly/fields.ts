// The fields of the core's read-out entry points: regionField (index.ts), secretField and
// heapStat (secure-entry.ts). src/ reads them from src/generated/core-numbers.ts (numbers.ts).

// Fields of a live region's record, for inspect.
export const FIELD_FLAGS: i32 = 0;
export const FIELD_TYPE: i32 = 1;
export const FIELD_PROTECTION: i32 = 2;
export const FIELD_PAGE_KIND: i32 = 3;
export const FIELD_SIZE: i32 = 4;
export const FIELD_ALIGN: i32 = 5;
export const FIELD_MAPPING_LENGTH: i32 = 6;
export const FIELD_DATA_PAGES_OFFSET: i32 = 7;
export const FIELD_DATA_PAGES_LENGTH: i32 = 8;
export const FIELD_DATA_OFFSET: i32 = 9;
export const FIELD_GRANULE: i32 = 10;

// Fields of a live secret.
export const SECRET_FIELD_SIZE: i32 = 0;
export const SECRET_FIELD_HOST_ID: i32 = 1;
export const SECRET_FIELD_DATA_OFFSET: i32 = 2;
export const SECRET_FIELD_IN_SLOT: i32 = 3;
export const SECRET_FIELD_OPEN: i32 = 4;
export const SECRET_FIELD_PROTECTION: i32 = 5;
export const SECRET_FIELD_REGION: i32 = 6;
export const SECRET_FIELD_HEAP: i32 = 7;
export const SECRET_FIELD_PAGES_OFFSET: i32 = 8;
export const SECRET_FIELD_PAGES_LENGTH: i32 = 9;
export const SECRET_FIELD_SLOT_SIZE: i32 = 10;

// Statistics of a live heap.
export const HEAP_STAT_LIVE: i32 = 0;
export const HEAP_STAT_USED_BYTES: i32 = 1;
export const HEAP_STAT_SLOT_BYTES: i32 = 2;
export const HEAP_STAT_RESERVED_BYTES: i32 = 3;
export const HEAP_STAT_LOCKED_BYTES: i32 = 4;
export const HEAP_STAT_ARENAS: i32 = 5;
export const HEAP_STAT_DEDICATED: i32 = 6;
export const HEAP_STAT_PENDING: i32 = 7;
export const HEAP_STAT_OPEN_SCOPES: i32 = 8;
export const HEAP_STAT_CANARY_FAILURES: i32 = 9;
export const HEAP_STAT_DAMAGED_OFFSET: i32 = 10;
export const HEAP_STAT_DAMAGED_REGION: i32 = 11;
export const HEAP_STAT_ARENA_PAGES: i32 = 12;
export const HEAP_STAT_FORMATTED_PAGES: i32 = 13;
export const HEAP_STAT_MAX_BYTES: i32 = 14;
export const HEAP_STAT_LOCK_BEST_EFFORT: i32 = 15;
export const HEAP_STAT_SECRET_BYTES: i32 = 16;
export const HEAP_STAT_SECRET_POLICY: i32 = 17;

// The report of the last purge (purgeField, purge.ts): counts and bytes.
export const PURGE_STAT_SECRETS: i32 = 0; // standalone secrets freed
export const PURGE_STAT_SECRET_BYTES: i32 = 1; // … their sizes
export const PURGE_STAT_HEAPS: i32 = 2; // heaps destroyed
export const PURGE_STAT_HEAP_SECRETS: i32 = 3; // heap secrets freed (with their heap or alone)
export const PURGE_STAT_HEAP_SECRET_BYTES: i32 = 4; // … their sizes
export const PURGE_STAT_REGIONS: i32 = 5; // PlatformMemory regions freed
export const PURGE_STAT_REGION_BYTES: i32 = 6; // … their sizes
export const PURGE_STAT_DEFERRED_SECRETS: i32 = 7; // secrets inside use()/update(): freed when it returns
export const PURGE_STAT_DEFERRED_HEAPS: i32 = 8; // heaps with such a secret: destroyed when the last returns
export const PURGE_STAT_FAILURES: i32 = 9; // steps that failed (the last one's failure record is kept)
export const PURGE_STAT_CANARY_DAMAGE: i32 = 10; // frees that found a damaged canary (still freed)
export const PURGE_STAT_UNMAPPED_BYTES: i32 = 11; // bytes of mappings given back
export const PURGE_STAT_UNLOCKED_BYTES: i32 = 12; // bytes of locked pages given back
export const HEAP_STAT_ISOLATED: i32 = 18;

// Figures of quarantineStat() (quarantine.ts).
export const QUARANTINE_STAT_RANGES: i32 = 0;
export const QUARANTINE_STAT_BYTES: i32 = 1;
export const QUARANTINE_STAT_CAP: i32 = 2;
export const QUARANTINE_STAT_EVICTED: i32 = 3;
