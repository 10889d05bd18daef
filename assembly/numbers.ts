// Every number the TypeScript layers share with the core, exported as a Wasm global named
// `<Table>_<key>`. scripts/embed-wasm.mjs reads these globals from the compiled core and writes
// them as tables into src/generated/core-numbers.ts and host/generated/host-numbers.ts (build
// output, not committed), so a number is written once, here in assembly/, and nowhere else.
// The alias is the TypeScript key: add a line here to hand a new number to src/ or host/.

// Statuses of every entry point (0 is success); the key is the MemoryProtectionError code.
export {
  OK as Status_OK,
  INVALID_ARGUMENT as Status_INVALID_ARGUMENT,
  OUT_OF_BOUNDS as Status_OUT_OF_BOUNDS,
  ACCESS_DENIED as Status_ACCESS_DENIED,
  USE_AFTER_FREE as Status_USE_AFTER_FREE,
  DOUBLE_FREE as Status_DOUBLE_FREE,
  ALLOCATION_FAILED as Status_ALLOCATION_FAILED,
  PROTECTION_FAILED as Status_PROTECTION_FAILED,
  LOCK_FAILED as Status_LOCK_FAILED,
  UNLOCK_FAILED as Status_UNLOCK_FAILED,
  NOT_SUPPORTED as Status_NOT_SUPPORTED,
  CANARY_CORRUPTED as Status_CANARY_CORRUPTED,
  FREE_FAILED as Status_FREE_FAILED,
} from './status';

// Why an argument was refused (failureReason()), for the region entry points.
export {
  REASON_SIZE_NOT_POSITIVE_INTEGER as Reason_SIZE_NOT_POSITIVE_INTEGER,
  REASON_SIZE_TOO_LARGE as Reason_SIZE_TOO_LARGE,
  REASON_ALIGN_NOT_POWER_OF_TWO as Reason_ALIGN_NOT_POWER_OF_TWO,
  REASON_ALIGN_TOO_LARGE as Reason_ALIGN_TOO_LARGE,
  REASON_UNKNOWN_PROTECTION as Reason_UNKNOWN_PROTECTION,
  REASON_UNKNOWN_TYPE as Reason_UNKNOWN_TYPE,
  REASON_GUARD_COUNT as Reason_GUARD_COUNT,
  REASON_NO_GUARD_PAGES as Reason_NO_GUARD_PAGES,
  REASON_NOT_A_REGION as Reason_NOT_A_REGION,
  REASON_NOT_GUARDED as Reason_NOT_GUARDED,
  REASON_OFFSET as Reason_OFFSET,
  REASON_LENGTH as Reason_LENGTH,
  REASON_PAGE_SIZE as Reason_PAGE_SIZE,
  REASON_SECRET_MEMORY_LOCKED as Reason_SECRET_MEMORY_LOCKED,
  REASON_SECRET_MEMORY_TYPE as Reason_SECRET_MEMORY_TYPE,
  REASON_SECRET_MEMORY_EXECUTE as Reason_SECRET_MEMORY_EXECUTE,
  REASON_MEMORY_SHORT as Reason_MEMORY_SHORT,
} from './status';

// … and for the secret and heap entry points (numbered from 101).
export {
  REASON_SECRET_OPEN as Reason_SECRET_OPEN,
  REASON_NOT_OPEN as Reason_NOT_OPEN,
  REASON_HEAP_FULL as Reason_HEAP_FULL,
  REASON_HEAP_OPEN as Reason_HEAP_OPEN,
  REASON_ARENA_SIZE as Reason_ARENA_SIZE,
  REASON_MAX_SIZE as Reason_MAX_SIZE,
  REASON_NOT_A_SECRET as Reason_NOT_A_SECRET,
  REASON_NOT_A_HEAP as Reason_NOT_A_HEAP,
  REASON_ACCESS as Reason_ACCESS,
  REASON_NOT_READABLE as Reason_NOT_READABLE,
  REASON_PURGED as Reason_PURGED,
  REASON_HEAPS_LIVE as Reason_HEAPS_LIVE,
} from './heap-status';

// Option bits of allocate(), secretCreate() and heapCreate(): one layout for all three.
export {
  OPTION_LOCK_BEST_EFFORT as Option_LOCK_BEST_EFFORT,
  OPTION_CUSTOM_GUARDS as Option_CUSTOM_GUARDS,
  OPTION_SECRET_PREFERRED as Option_SECRET_PREFERRED,
  OPTION_SECRET_REQUIRED as Option_SECRET_REQUIRED,
  OPTION_ISOLATED as Option_ISOLATED,
} from './operations';

// Capability bits init() takes.
export {
  CAP_LOCK as Capability_LOCK,
  CAP_DONTDUMP as Capability_DONTDUMP,
  CAP_DONTFORK as Capability_DONTFORK,
  CAP_EXPLICIT_HUGE as Capability_EXPLICIT_HUGE,
  CAP_TRANSPARENT_HUGE as Capability_TRANSPARENT_HUGE,
  CAP_SECRET_MEMORY as Capability_SECRET_MEMORY,
  CAP_DECOMMIT as Capability_DECOMMIT,
} from './machine';

// Region record flags, as regionField(FIELD_FLAGS) returns them.
export {
  FLAG_LOCKED as RegionFlag_LOCKED,
  FLAG_GUARDED as RegionFlag_GUARDED,
  FLAG_CANARY as RegionFlag_CANARY,
  FLAG_DONTDUMP as RegionFlag_DONTDUMP,
  FLAG_DONTFORK as RegionFlag_DONTFORK,
  FLAG_LOCK_WANTED as RegionFlag_LOCK_WANTED,
  FLAG_HUGEPAGE_ADVISED as RegionFlag_HUGEPAGE_ADVISED,
  FLAG_SECRET_MEMORY as RegionFlag_SECRET_MEMORY,
  FLAG_SECRET_WANTED as RegionFlag_SECRET_WANTED,
} from './regions';

// Fields of regionField().
export {
  FIELD_FLAGS as Field_flags,
  FIELD_TYPE as Field_type,
  FIELD_PROTECTION as Field_protection,
  FIELD_PAGE_KIND as Field_pageKind,
  FIELD_SIZE as Field_size,
  FIELD_ALIGN as Field_align,
  FIELD_MAPPING_LENGTH as Field_mappingLength,
  FIELD_DATA_PAGES_OFFSET as Field_dataPagesOffset,
  FIELD_DATA_PAGES_LENGTH as Field_dataPagesLength,
  FIELD_DATA_OFFSET as Field_dataOffset,
  FIELD_GRANULE as Field_granule,
} from './fields';

// Fields of secretField().
export {
  SECRET_FIELD_SIZE as SecretField_size,
  SECRET_FIELD_HOST_ID as SecretField_hostId,
  SECRET_FIELD_DATA_OFFSET as SecretField_dataOffset,
  SECRET_FIELD_IN_SLOT as SecretField_inSlot,
  SECRET_FIELD_OPEN as SecretField_openCount,
  SECRET_FIELD_PROTECTION as SecretField_protection,
  SECRET_FIELD_REGION as SecretField_region,
  SECRET_FIELD_HEAP as SecretField_heap,
  SECRET_FIELD_PAGES_OFFSET as SecretField_pagesOffset,
  SECRET_FIELD_PAGES_LENGTH as SecretField_pagesLength,
  SECRET_FIELD_SLOT_SIZE as SecretField_slotSize,
} from './fields';

// Statistics of heapStat().
export {
  HEAP_STAT_LIVE as HeapStat_live,
  HEAP_STAT_USED_BYTES as HeapStat_usedBytes,
  HEAP_STAT_SLOT_BYTES as HeapStat_slotBytes,
  HEAP_STAT_RESERVED_BYTES as HeapStat_reservedBytes,
  HEAP_STAT_LOCKED_BYTES as HeapStat_lockedBytes,
  HEAP_STAT_ARENAS as HeapStat_arenas,
  HEAP_STAT_DEDICATED as HeapStat_dedicated,
  HEAP_STAT_PENDING as HeapStat_pending,
  HEAP_STAT_OPEN_SCOPES as HeapStat_openScopes,
  HEAP_STAT_CANARY_FAILURES as HeapStat_canaryFailures,
  HEAP_STAT_DAMAGED_OFFSET as HeapStat_damagedOffset,
  HEAP_STAT_DAMAGED_REGION as HeapStat_damagedRegion,
  HEAP_STAT_ARENA_PAGES as HeapStat_arenaPages,
  HEAP_STAT_FORMATTED_PAGES as HeapStat_formattedPages,
  HEAP_STAT_MAX_BYTES as HeapStat_maxBytes,
  HEAP_STAT_LOCK_BEST_EFFORT as HeapStat_lockBestEffort,
  HEAP_STAT_SECRET_BYTES as HeapStat_secretBytes,
  HEAP_STAT_SECRET_POLICY as HeapStat_secretPolicy,
  HEAP_STAT_ISOLATED as HeapStat_isolated,
} from './fields';

// Figures of quarantineStat().
export {
  QUARANTINE_STAT_RANGES as QuarantineStat_ranges,
  QUARANTINE_STAT_BYTES as QuarantineStat_bytes,
  QUARANTINE_STAT_CAP as QuarantineStat_capBytes,
  QUARANTINE_STAT_EVICTED as QuarantineStat_evicted,
} from './fields';

// The report of the last purge (purgeField()).
export {
  PURGE_STAT_SECRETS as PurgeStat_secrets,
  PURGE_STAT_SECRET_BYTES as PurgeStat_secretBytes,
  PURGE_STAT_HEAPS as PurgeStat_heaps,
  PURGE_STAT_HEAP_SECRETS as PurgeStat_heapSecrets,
  PURGE_STAT_HEAP_SECRET_BYTES as PurgeStat_heapSecretBytes,
  PURGE_STAT_REGIONS as PurgeStat_regions,
  PURGE_STAT_REGION_BYTES as PurgeStat_regionBytes,
  PURGE_STAT_DEFERRED_SECRETS as PurgeStat_deferredSecrets,
  PURGE_STAT_DEFERRED_HEAPS as PurgeStat_deferredHeaps,
  PURGE_STAT_FAILURES as PurgeStat_failures,
  PURGE_STAT_CANARY_DAMAGE as PurgeStat_canaryDamage,
  PURGE_STAT_UNMAPPED_BYTES as PurgeStat_unmappedBytes,
  PURGE_STAT_UNLOCKED_BYTES as PurgeStat_unlockedBytes,
} from './fields';

// Allocation types, in the order of AllocationType.
export {
  TYPE_REGULAR as AllocationType_Regular,
  TYPE_SECURE as AllocationType_Secure,
  TYPE_LARGE_PAGE as AllocationType_LargePage,
} from './protection';

// How a region's pages are backed (regionField(FIELD_PAGE_KIND)).
export {
  PAGE_NORMAL as PageKind_normal,
  PAGE_TRANSPARENT_HUGE as PageKind_transparentHuge,
  PAGE_EXPLICIT_HUGE as PageKind_explicitHuge,
} from './regions';

// The host contract (host/generated/host-numbers.ts): protections, operations, map flags, advice.

// Protection levels, keyed as MemoryProtectionLevel.
export {
  NO_ACCESS as Protection_NoAccess,
  READ_ONLY as Protection_ReadOnly,
  READ_WRITE as Protection_ReadWrite,
  EXECUTE as Protection_Execute,
  READ_EXECUTE as Protection_ReadExecute,
  READ_WRITE_EXECUTE as Protection_ReadWriteExecute,
} from './protection';

// Host operations, as failureOperation() names them (0: none), keyed by the Host method.
export {
  OP_MAP as HostOperation_map,
  OP_UNMAP as HostOperation_unmap,
  OP_PROTECT as HostOperation_protect,
  OP_LOCK as HostOperation_lock,
  OP_UNLOCK as HostOperation_unlock,
  OP_ADVISE as HostOperation_advise,
  OP_FILL as HostOperation_fill,
  OP_COPY_IN as HostOperation_copyIn,
  OP_COPY_OUT as HostOperation_copyOut,
  OP_MAP_SECRET as HostOperation_mapSecret,
  OP_DECOMMIT as HostOperation_decommit,
  OP_RANDOM_BYTES as HostOperation_randomBytes,
} from './host';

// Flags of the host's map().
export { MAP_HUGETLB as MapFlag_EXPLICIT_HUGE } from './host';

// Advice of the host's advise(), keyed as host/types.ts's Advice.
export {
  ADVICE_DONTDUMP as Advice_DontDump,
  ADVICE_DONTFORK as Advice_DontFork,
  ADVICE_HUGEPAGE as Advice_HugePage,
} from './host';
