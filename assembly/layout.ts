// Layout and alignment math: pure functions of sizes, no host calls.
//
// A region is one mapping. G is the granule: the page size in use for it (the system page, or
// the huge page for an explicit huge-page mapping). The mapping's base is aligned to
// max(align, G) by the host.
//
//  0          dataPagesOffset                                 dataPagesEnd          mappingLength
//  ┌────────────┬──────────────────────────────────────────────────┬────────────────────┐
//  │ guard × gb │ front slack  │ data (size bytes) ▸ │ back slack  │ guard × ga         │
//  │ NoAccess   │ canary bytes │ starts at dataOffset│ canary (<a) │ NoAccess           │
//  └────────────┴──────────────────────────────────────────────────┴────────────────────┘
//               ◂──────────── data pages: whole granules ──────────▸
//
// Placed at the end (guarded regions) the data ends as close to the trailing guard as the
// alignment `a` allows, so a linear overflow faults at once; the back slack is < a bytes.
// Placed at the start (unguarded regions) the data begins at the first data byte.

/** The largest mapping the core will ask for: 2^47 bytes, the x86-64/arm64 user address space. */
export const MAX_MAPPING_BITS: u32 = 47;
export const MAX_MAPPING: u64 = (<u64>1) << MAX_MAPPING_BITS;
/** The largest alignment accepted: 1 GiB (the host over-maps by this much to honour it). */
export const MAX_ALIGN_BITS: u32 = 30;
export const MAX_ALIGN: u64 = (<u64>1) << MAX_ALIGN_BITS;
/** The most guard pages accepted on one side. */
export const MAX_GUARD_PAGES: u32 = 1024;

// @ts-ignore: decorator
@inline export function alignUp(value: u64, alignment: u64): u64 {
  const mask = alignment - 1;
  return (value + mask) & ~mask;
}

// @ts-ignore: decorator
@inline export function alignDown(value: u64, alignment: u64): u64 {
  return value & ~(alignment - 1);
}

// @ts-ignore: decorator
@inline export function isPowerOfTwo(value: u64): bool {
  return value != 0 && (value & (value - 1)) == 0;
}

/** The result of the last successful `planLayout`. */
export let planMappingLength: u64 = 0;
export let planDataPagesOffset: u64 = 0;
export let planDataPagesLength: u64 = 0;
export let planDataOffset: u64 = 0;
export let planBaseAlignment: u64 = 0;

/**
 * Plans a region. Returns false if the mapping would exceed MAX_MAPPING (the caller reports
 * REASON_SIZE_TOO_LARGE). Arguments must already be in range: size in [1, MAX_MAPPING],
 * align a power of two <= MAX_ALIGN, granule a power of two, guards <= MAX_GUARD_PAGES.
 */
export function planLayout(
  size: u64, align: u64, granule: u64, guardsBefore: u32, guardsAfter: u32, placeAtEnd: bool,
): bool {
  assert(size >= 1 && size <= MAX_MAPPING && isPowerOfTwo(align) && align <= MAX_ALIGN);
  assert(isPowerOfTwo(granule) && guardsBefore <= MAX_GUARD_PAGES && guardsAfter <= MAX_GUARD_PAGES);
  // Every term below is < 2^48, so no sum of three can overflow u64.
  const guardBeforeBytes = <u64>guardsBefore * granule;
  const guardAfterBytes = <u64>guardsAfter * granule;
  const firstDataByte = alignUp(guardBeforeBytes, align); // data may not start before this
  const dataPagesEnd = alignUp(firstDataByte + size, granule);
  const dataOffset = placeAtEnd ? alignDown(dataPagesEnd - size, align) : firstDataByte;
  const mappingLength = dataPagesEnd + guardAfterBytes;
  if (mappingLength > MAX_MAPPING) return false;
  planMappingLength = mappingLength;
  planDataPagesOffset = guardBeforeBytes;
  planDataPagesLength = dataPagesEnd - guardBeforeBytes;
  planDataOffset = dataOffset;
  planBaseAlignment = align > granule ? align : granule;
  return true;
}
