// Reasons of refusal for the secret and heap entry points, numbered from 100 so they never meet
// the region reasons of status.ts. Exported to src/ by numbers.ts, like those.

export const REASON_SECRET_OPEN: i32 = 101; // freed while a use()/update() of it is running
export const REASON_NOT_OPEN: i32 = 102; // closed more often than opened
export const REASON_HEAP_FULL: i32 = 103; // growing would pass the heap's maxSize
export const REASON_HEAP_OPEN: i32 = 104; // destroyed while a use()/update() of one of its secrets runs
export const REASON_ARENA_SIZE: i32 = 105; // arenaSize is not a byte count the heap can use
export const REASON_MAX_SIZE: i32 = 106; // maxSize is not a byte count
export const REASON_NOT_A_SECRET: i32 = 107; // not a handle this core issued
export const REASON_NOT_A_HEAP: i32 = 108; // not a heap handle this core issued
export const REASON_ACCESS: i32 = 109; // scoped access must be ReadOnly or ReadWrite
export const REASON_NOT_READABLE: i32 = 110; // read outside an open scope
export const REASON_PURGED: i32 = 111; // purge() marked it: no new scope or secret (it is freed when its scopes end)
export const REASON_HEAPS_LIVE: i32 = 112; // purgeAllRegions in a core that holds secrets or heaps
