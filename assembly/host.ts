// The host, as the core sees it: one Wasm import per OS operation. Every call names a mapping by
// the small id the host gave it and a byte offset into that mapping; the core never holds an
// address. Integers cross as f64 (exact below 2^53) to avoid BigInt at the boundary.
// Each returns 0 on success or a positive OS error number (errno, or GetLastError on Windows);
// `map` returns the new mapping's id (>= 0) or the negated error number.

// Host operations, numbered for error reports and traces (host/ reads them through numbers.ts).
export const OP_MAP: i32 = 1;
export const OP_UNMAP: i32 = 2;
export const OP_PROTECT: i32 = 3;
export const OP_LOCK: i32 = 4;
export const OP_UNLOCK: i32 = 5;
export const OP_ADVISE: i32 = 6;
export const OP_FILL: i32 = 7;
export const OP_COPY_IN: i32 = 8;
export const OP_COPY_OUT: i32 = 9;
export const OP_MAP_SECRET: i32 = 10;
export const OP_DECOMMIT: i32 = 11;
export const OP_RANDOM_BYTES: i32 = 12;

// Flags for `map`.
export const MAP_HUGETLB: i32 = 1; // explicit huge pages (Linux MAP_HUGETLB, Windows MEM_LARGE_PAGES)

// Advice for `advise`.
export const ADVICE_DONTDUMP: i32 = 1; // leave out of core dumps
export const ADVICE_DONTFORK: i32 = 2; // do not inherit into fork() children
export const ADVICE_HUGEPAGE: i32 = 3; // ask for transparent huge pages

// @ts-ignore: decorator
@external("host", "map")
export declare function hostMap(length: f64, alignment: f64, protection: i32, flags: i32): i32;
/**
 * Replaces [offset, offset + length) of a mapping with secret memory, opened `protection`:
 * pages the kernel takes out of its own direct map and locks itself (Linux memfd_secret).
 */
// @ts-ignore: decorator
@external("host", "map_secret")
export declare function hostMapSecret(id: i32, offset: f64, length: f64, protection: i32): i32;
// @ts-ignore: decorator
@external("host", "unmap")
export declare function hostUnmap(id: i32): i32;
/**
 * Gives every page of a mapping back (bytes, lock, advice) and leaves its whole address range
 * reserved and NoAccess, so that nothing else is mapped there until `unmap(id)` (Linux/macOS: one
 * mmap MAP_FIXED PROT_NONE over it; Windows: VirtualFree MEM_DECOMMIT). Only where CAP_DECOMMIT.
 */
// @ts-ignore: decorator
@external("host", "decommit")
export declare function hostDecommit(id: i32): i32;
// @ts-ignore: decorator
@external("host", "protect")
export declare function hostProtect(id: i32, offset: f64, length: f64, protection: i32): i32;
// @ts-ignore: decorator
@external("host", "lock")
export declare function hostLock(id: i32, offset: f64, length: f64): i32;
// @ts-ignore: decorator
@external("host", "unlock")
export declare function hostUnlock(id: i32, offset: f64, length: f64): i32;
// @ts-ignore: decorator
@external("host", "advise")
export declare function hostAdvise(id: i32, offset: f64, length: f64, advice: i32): i32;
// @ts-ignore: decorator
@external("host", "fill")
export declare function hostFill(id: i32, offset: f64, length: f64, byte: i32): i32;
/** Copies `length` bytes of the caller's staged source buffer into the mapping. */
// @ts-ignore: decorator
@external("host", "copy_in")
export declare function hostCopyIn(id: i32, offset: f64, length: f64): i32;
/** Copies `length` bytes of the mapping into the caller's staged target buffer. */
// @ts-ignore: decorator
@external("host", "copy_out")
export declare function hostCopyOut(id: i32, offset: f64, length: f64): i32;
/** Copies core memory (never a secret: canaries only) into the mapping. */
// @ts-ignore: decorator
@external("host", "core_in")
export declare function hostCoreIn(id: i32, offset: f64, length: f64, pointer: usize): i32;
/** Copies mapping bytes (canary slack only) into core memory. */
// @ts-ignore: decorator
@external("host", "core_out")
export declare function hostCoreOut(id: i32, offset: f64, length: f64, pointer: usize): i32;
/**
 * Bytes this process can still commit (Linux: MemAvailable, less where a memory cgroup's limit
 * leaves less), or a negative number where the host cannot tell. A query, not an OS operation.
 */
// @ts-ignore: decorator
@external("host", "memory_room")
export declare function hostMemoryRoom(): f64;
/**
 * Fills core memory with random bytes (the OS's generator; seeded on the simulated host).
 * Returns 0 or the OS error number: a failed draw is never a silent all-zero fill.
 */
// @ts-ignore: decorator
@external("host", "random_bytes")
export declare function hostRandomBytes(pointer: usize, length: i32): i32;
