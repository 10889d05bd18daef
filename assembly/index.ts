// The core's entry points. Each checks its arguments (integers arrive as f64 from JS), clears
// the failure record, and hands over to operations.ts. Statuses are in status.ts.
import {
  OK,
  INVALID_ARGUMENT,
  REASON_SIZE_NOT_POSITIVE_INTEGER,
  REASON_SIZE_TOO_LARGE,
  REASON_ALIGN_NOT_POWER_OF_TWO,
  REASON_ALIGN_TOO_LARGE,
  REASON_UNKNOWN_PROTECTION,
  REASON_UNKNOWN_TYPE,
  REASON_GUARD_COUNT,
  REASON_NO_GUARD_PAGES,
  REASON_OFFSET,
  REASON_LENGTH,
  REASON_PAGE_SIZE,
  REASON_SECRET_MEMORY_TYPE,
  OUT_OF_BOUNDS,
  ALLOCATION_FAILED,
} from './status';
import { refuse, osFailure, resetFailure, lastReason, lastOperation, lastError } from './failure';
import { OP_RANDOM_BYTES } from './host';
import {
  MAX_MAPPING,
  MAX_ALIGN,
  MAX_GUARD_PAGES,
  isPowerOfTwo,
  planLayout,
  planMappingLength,
  planDataPagesOffset,
  planDataPagesLength,
  planDataOffset,
  planBaseAlignment,
} from './layout';
import {
  flagsOf,
  typeOf,
  protectionOf,
  pageKindOf,
  sizeOf,
  alignOf,
  mappingLengthOf,
  dataPagesOffsetOf,
  dataPagesLengthOf,
  dataOffsetOf,
  granuleOf,
  liveRegions,
  generationOf,
  checkHandle,
} from './regions';
import { setMachine } from './machine';
import { statusOfHandle } from './handle-table';
import {
  FIELD_FLAGS,
  FIELD_TYPE,
  FIELD_PROTECTION,
  FIELD_PAGE_KIND,
  FIELD_SIZE,
  FIELD_ALIGN,
  FIELD_MAPPING_LENGTH,
  FIELD_DATA_PAGES_OFFSET,
  FIELD_DATA_PAGES_LENGTH,
  FIELD_DATA_OFFSET,
  FIELD_GRANULE,
} from './fields';
import { initCanary, NO_RANDOM_BYTES } from './canary';
import { PROTECTION_COUNT, TYPE_COUNT, TYPE_SECURE } from './protection';
import {
  useHandle,
  allocateRegion,
  freeRegion,
  protectRegion,
  lockRegion,
  unlockRegion,
  clearRegion,
  writeRegion,
  readRegion,
  OPTION_CUSTOM_GUARDS,
  OPTION_SECRET_ANY,
  mappedBytes,
  lockedBytes,
  lastGeneration,
} from './operations';

const NOT_A_COUNT: i64 = -1;

/** An f64 that is an integer in [0, max], as u64; NOT_A_COUNT otherwise (NaN, fraction, range). */
function toCount(value: f64, max: u64): i64 {
  if (!(value >= 0) || value != Math.floor(value) || value > <f64>max) return NOT_A_COUNT;
  return <i64>value;
}

/** Sets the machine up. Must be called once before anything else. */
export function init(pageSize: f64, hugePageSize: f64, capabilities: u32): i32 {
  resetFailure();
  const page = toCount(pageSize, MAX_ALIGN);
  const huge = toCount(hugePageSize, MAX_ALIGN);
  if (page < 1024 || !isPowerOfTwo(<u64>page)) return refuse(INVALID_ARGUMENT, REASON_PAGE_SIZE);
  if (huge < page || !isPowerOfTwo(<u64>huge)) return refuse(INVALID_ARGUMENT, REASON_PAGE_SIZE);
  setMachine(<u64>page, <u64>huge, capabilities);
  // No canary, no core: a failed draw is an error (error 0: the source filled nothing).
  const error = initCanary();
  if (error != 0) return osFailure(ALLOCATION_FAILED, OP_RANDOM_BYTES, error == NO_RANDOM_BYTES ? 0 : error);
  return OK;
}

/** Checks allocation arguments common to allocate and planning. Returns OK or a status. */
function checkShape(size: f64, align: f64, guardsBefore: f64, guardsAfter: f64): i32 {
  if (!(size >= 1) || size != Math.floor(size)) return refuse(INVALID_ARGUMENT, REASON_SIZE_NOT_POSITIVE_INTEGER);
  if (size > <f64>MAX_MAPPING) return refuse(INVALID_ARGUMENT, REASON_SIZE_TOO_LARGE);
  const a = toCount(align, MAX_ALIGN);
  if (a == NOT_A_COUNT && align > <f64>MAX_ALIGN && align == Math.floor(align)) {
    return refuse(INVALID_ARGUMENT, REASON_ALIGN_TOO_LARGE);
  }
  if (a == NOT_A_COUNT || !isPowerOfTwo(<u64>a)) return refuse(INVALID_ARGUMENT, REASON_ALIGN_NOT_POWER_OF_TWO);
  if (toCount(guardsBefore, MAX_GUARD_PAGES) == NOT_A_COUNT) return refuse(INVALID_ARGUMENT, REASON_GUARD_COUNT);
  if (toCount(guardsAfter, MAX_GUARD_PAGES) == NOT_A_COUNT) return refuse(INVALID_ARGUMENT, REASON_GUARD_COUNT);
  return OK;
}

/**
 * Allocates a region. Returns its slot (>= 0; the generation is `allocatedGeneration()`),
 * or -status. Guard counts apply only with OPTION_CUSTOM_GUARDS (allocateWithGuardPages).
 */
export function allocate(
  size: f64,
  align: f64,
  protection: i32,
  type: i32,
  guardsBefore: f64,
  guardsAfter: f64,
  options: u32,
): i32 {
  resetFailure();
  const shape = checkShape(size, align, guardsBefore, guardsAfter);
  if (shape != OK) return -shape;
  if (protection < 0 || protection >= PROTECTION_COUNT) return -refuse(INVALID_ARGUMENT, REASON_UNKNOWN_PROTECTION);
  if (type < 0 || type >= TYPE_COUNT) return -refuse(INVALID_ARGUMENT, REASON_UNKNOWN_TYPE);
  if ((options & OPTION_SECRET_ANY) != 0 && type != <i32>TYPE_SECURE)
    return -refuse(INVALID_ARGUMENT, REASON_SECRET_MEMORY_TYPE);
  const custom = (options & OPTION_CUSTOM_GUARDS) != 0;
  if (custom && guardsBefore + guardsAfter == 0) return -refuse(INVALID_ARGUMENT, REASON_NO_GUARD_PAGES);
  return allocateRegion(
    <u64>size,
    <u64>align,
    <u8>protection,
    <u8>type,
    custom ? <u32>guardsBefore : 0,
    custom ? <u32>guardsAfter : 0,
    options,
  );
}

/** The generation that, with the slot allocate() returned, makes the region's handle. */
export function allocatedGeneration(): u32 {
  return lastGeneration;
}

export function free(slot: u32, generation: u32): i32 {
  resetFailure();
  const status = useHandle(slot, generation, true);
  return status != OK ? status : freeRegion(slot);
}

export function protect(slot: u32, generation: u32, protection: i32): i32 {
  resetFailure();
  const status = useHandle(slot, generation, false);
  if (status != OK) return status;
  if (protection < 0 || protection >= PROTECTION_COUNT) return refuse(INVALID_ARGUMENT, REASON_UNKNOWN_PROTECTION);
  return protectRegion(slot, <u8>protection);
}

export function lock(slot: u32, generation: u32): i32 {
  resetFailure();
  const status = useHandle(slot, generation, false);
  return status != OK ? status : lockRegion(slot);
}

export function unlock(slot: u32, generation: u32): i32 {
  resetFailure();
  const status = useHandle(slot, generation, false);
  return status != OK ? status : unlockRegion(slot);
}

export function clear(slot: u32, generation: u32): i32 {
  resetFailure();
  const status = useHandle(slot, generation, false);
  return status != OK ? status : clearRegion(slot);
}

/** Checks an (offset, length) pair from JS; both must be integers >= 0. */
function checkSpan(offset: f64, length: f64): i32 {
  if (toCount(offset, MAX_MAPPING) == NOT_A_COUNT) {
    return refuse(offset > <f64>MAX_MAPPING ? OUT_OF_BOUNDS : INVALID_ARGUMENT, REASON_OFFSET);
  }
  if (toCount(length, MAX_MAPPING) == NOT_A_COUNT) {
    return refuse(length > <f64>MAX_MAPPING ? OUT_OF_BOUNDS : INVALID_ARGUMENT, REASON_LENGTH);
  }
  return OK;
}

/** Copies `length` staged bytes into the region's data at `offset`. */
export function write(slot: u32, generation: u32, offset: f64, length: f64): i32 {
  resetFailure();
  let status = useHandle(slot, generation, false);
  if (status == OK) status = checkSpan(offset, length);
  return status != OK ? status : writeRegion(slot, <u64>offset, <u64>length);
}

/** Copies `length` data bytes at `offset` into the staged target. */
export function read(slot: u32, generation: u32, offset: f64, length: f64): i32 {
  resetFailure();
  let status = useHandle(slot, generation, false);
  if (status == OK) status = checkSpan(offset, length);
  return status != OK ? status : readRegion(slot, <u64>offset, <u64>length);
}

/**
 * OK if the handle names a live region; USE_AFTER_FREE or INVALID_ARGUMENT otherwise. Read-only:
 * it leaves the failure record of the last call as it was.
 */
export function check(slot: u32, generation: u32): i32 {
  return statusOfHandle(checkHandle(slot, generation), false);
}

/** One field of a live region's record (call check() first); -1 for an unknown field. */
export function regionField(slot: u32, field: i32): f64 {
  switch (field) {
    case FIELD_FLAGS:
      return <f64>flagsOf(slot);
    case FIELD_TYPE:
      return <f64>typeOf(slot);
    case FIELD_PROTECTION:
      return <f64>protectionOf(slot);
    case FIELD_PAGE_KIND:
      return <f64>pageKindOf(slot);
    case FIELD_SIZE:
      return <f64>sizeOf(slot);
    case FIELD_ALIGN:
      return <f64>alignOf(slot);
    case FIELD_MAPPING_LENGTH:
      return <f64>mappingLengthOf(slot);
    case FIELD_DATA_PAGES_OFFSET:
      return <f64>dataPagesOffsetOf(slot);
    case FIELD_DATA_PAGES_LENGTH:
      return <f64>dataPagesLengthOf(slot);
    case FIELD_DATA_OFFSET:
      return <f64>dataOffsetOf(slot);
    case FIELD_GRANULE:
      return <f64>granuleOf(slot);
    default:
      return -1;
  }
}

/** The mapping id the host gave a live region (for inspect's addresses). */
export { hostIdOf as regionHostId } from './regions';
export { generationOf as slotGeneration };

// Totals.
export function statLiveRegions(): u32 {
  return liveRegions();
}
export function statMappedBytes(): f64 {
  return <f64>mappedBytes;
}
export function statLockedBytes(): f64 {
  return <f64>lockedBytes;
}

/**
 * Test only: generations of every handle table end at `ceiling` (a record then retires), or with
 * `wrap` go back to 1 as they once did — the control showing what retiring prevents.
 */
export { setGenerationCeiling as testOnlySetGenerationCeiling } from './handle-table';

// The failure record of the last call.
export function failureReason(): i32 {
  return lastReason;
}
export function failureOperation(): i32 {
  return lastOperation;
}
export function failureError(): i32 {
  return lastError;
}

/**
 * Layout planning alone, for tests and for callers that size things up front. Returns OK or
 * INVALID_ARGUMENT; read the plan with planField (0 mapping length, 1 data pages offset,
 * 2 data pages length, 3 data offset, 4 base alignment).
 */
export function plan(size: f64, align: f64, granule: f64, guardsBefore: f64, guardsAfter: f64, placeAtEnd: bool): i32 {
  resetFailure();
  const shape = checkShape(size, align, guardsBefore, guardsAfter);
  if (shape != OK) return shape;
  const g = toCount(granule, MAX_ALIGN);
  if (g < 1 || !isPowerOfTwo(<u64>g)) return refuse(INVALID_ARGUMENT, REASON_PAGE_SIZE);
  if (!planLayout(<u64>size, <u64>align, <u64>g, <u32>guardsBefore, <u32>guardsAfter, placeAtEnd)) {
    return refuse(INVALID_ARGUMENT, REASON_SIZE_TOO_LARGE);
  }
  return OK;
}

export function planField(field: i32): f64 {
  switch (field) {
    case 0:
      return <f64>planMappingLength;
    case 1:
      return <f64>planDataPagesOffset;
    case 2:
      return <f64>planDataPagesLength;
    case 3:
      return <f64>planDataOffset;
    case 4:
      return <f64>planBaseAlignment;
    default:
      return -1;
  }
}

// SecureBuffer and SecureHeap (secure-entry.ts).
export * from './secure-entry';

// The numbers the TypeScript layers share with the core, as exported globals (numbers.ts).
export * from './numbers';
