// The memory map a user draws: inspect() results in, an SVG document out.
import type { RegionInfo } from '../inspect.js';
import { pagesOf } from './page-map.js';
import { renderPageMapSvg } from './svg.js';

export { pagesOf, type MapPage, type MapRegion, type PageRole } from './page-map.js';
export { renderPageMapSvg } from './svg.js';

/**
 * Draws regions (or a SecureHeap's arenas) page by page as SVG: guards, data and canary pages,
 * each page's protection and whether it is locked, dump- and fork-excluded, secret memory —
 * from the kernel's own view where the host has one (Linux smaps, the simulated page table).
 * Attach it to a failing test to see the state of memory at that moment.
 * @param infos - `memory.inspect(region)` results, or `heap.inspect().arenas`
 * @param title - a line above the map
 * @returns an SVG document
 * @example
 * import { createPlatformMemory, MemoryProtectionLevel, AllocationType, memoryMapSvg } from 'memshield';
 * import { createSimulatedHost } from 'memshield/testing';
 * const memory = createPlatformMemory({ host: createSimulatedHost() });
 * const region = memory.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
 * const svg = memoryMapSvg([memory.inspect(region)]);
 */
export function memoryMapSvg(infos: readonly RegionInfo[], title?: string): string {
  return renderPageMapSvg(infos.map(pagesOf), title);
}
