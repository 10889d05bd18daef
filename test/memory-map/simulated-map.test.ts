// The SVG memory map of regions on the simulated host: every page of the page table is drawn once,
// with the permissions and flags the page table holds (read independently, page by page, from the
// host's smaps-like view), and the picture changes when the pages do.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as main from '../../src/index.js';
import * as testing from '../../src/testing.js';
import { AllocationType, MemoryProtectionLevel, memoryMapSvg } from '../../src/index.js';
import { simulated } from '../simulated/fixtures.js';
import { drawnPages } from './drawn-pages.js';
// @ts-expect-error: a plain script module without types
import { exampleSvg } from '../../scripts/memory-map-example.mjs';

const PAGE = 4096;

/** The page table's own state of the page at `address`, from the host's kernel view. */
function tableState(host: testing.SimulatedHost, address: bigint) {
  const [entry] = host.kernelView!(address, PAGE);
  return {
    permissions: entry.permissions,
    locked: entry.flags.includes('lo'),
    dumpExcluded: entry.flags.includes('dd'),
    forkExcluded: entry.flags.includes('dc'),
  };
}

describe('memoryMapSvg on the simulated host', () => {
  it('draws every page of a Secure region once, each as the page table holds it', () => {
    const { host, mem } = simulated();
    const region = mem.allocate(5000, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    const info = mem.inspect(region);
    const pages = drawnPages(memoryMapSvg([info]));
    expect(pages).toHaveLength(info.mapping.length / PAGE);
    expect(pages.map((page) => page.address)).toEqual(pages.map((_, i) => info.mapping.address + BigInt(i * PAGE)));
    // 5000 B end at the trailing guard: the first data page holds 3192 B of canary, then data.
    expect(pages.map((page) => page.role)).toEqual(['guard', 'data+canary', 'data', 'guard']);
    for (const page of pages) {
      const { permissions, locked, dumpExcluded, forkExcluded } = page;
      expect({ permissions, locked, dumpExcluded, forkExcluded }).toEqual(tableState(host, page.address));
      expect(page.labels).toEqual([
        page.role,
        `…${page.address.toString(16).slice(-5)}`,
        permissions,
        expect.any(String),
      ]);
    }
    expect(pages[1]).toMatchObject({
      permissions: 'rw-p',
      locked: true,
      dumpExcluded: true,
      labels: expect.arrayContaining(['lo dd dc']),
    });
    mem.free(region);
  });

  it('shows a protection change and an unlock as the page table shows them (control: before the change)', () => {
    const { host, mem } = simulated();
    const region = mem.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    const before = drawnPages(memoryMapSvg([mem.inspect(region)]));
    expect(before[1]).toMatchObject({ permissions: 'rw-p', locked: true });
    mem.protect(region, MemoryProtectionLevel.NoAccess);
    mem.unlock(region);
    const after = drawnPages(memoryMapSvg([mem.inspect(region)]));
    expect(after[1]).toMatchObject({ permissions: '---p', locked: false, ...tableState(host, after[1].address) });
    mem.free(region);
  });

  it('draws a SecureHeap arena by arena', () => {
    const { host } = simulated();
    const heap = new main.SecureHeap({ host, arenaSize: 2 * PAGE });
    heap.alloc(32);
    const { arenas } = heap.inspect();
    const pages = drawnPages(memoryMapSvg(arenas));
    expect(pages).toHaveLength(arenas.reduce((sum, arena) => sum + arena.mapping.length / PAGE, 0));
    expect(pages[0].role).toBe('guard');
    expect(pages.at(-1)!.role).toBe('guard');
    heap.destroy();
  });

  it('the README picture docs/memory-map.svg is what the renderer draws now', () => {
    const committed = readFileSync(new URL('../../docs/memory-map.svg', import.meta.url), 'utf8');
    // Control: the example really draws pages, so an empty file could not pass.
    expect(drawnPages(committed).length).toBeGreaterThan(4);
    expect(committed).toBe(exampleSvg({ ...main, ...testing }));
  });
});
