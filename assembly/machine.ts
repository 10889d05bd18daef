// What the host said about the machine at init: page sizes and capabilities.

export const CAP_LOCK: u32 = 1 << 0; // mlock/VirtualLock exists
export const CAP_DONTDUMP: u32 = 1 << 1; // pages can be left out of core dumps
export const CAP_DONTFORK: u32 = 1 << 2; // pages can be kept from fork() children
export const CAP_EXPLICIT_HUGE: u32 = 1 << 3; // explicit huge pages are reserved and usable
export const CAP_TRANSPARENT_HUGE: u32 = 1 << 4; // transparent huge pages can be asked for
export const CAP_SECRET_MEMORY: u32 = 1 << 5; // secret memory (memfd_secret) can be mapped
export const CAP_DECOMMIT: u32 = 1 << 6; // a mapping's pages can be given back, its range kept reserved

export let pageSize: u64 = 0;
export let hugePageSize: u64 = 0;
export let capabilities: u32 = 0;

export function setMachine(page: u64, hugePage: u64, caps: u32): void {
  pageSize = page;
  hugePageSize = hugePage;
  capabilities = caps;
}

// @ts-ignore: decorator
@inline export function has(capability: u32): bool {
  return (capabilities & capability) != 0;
}
