// The SVG memory map as a browser draws it: Chromium renders the document, and what it shows — the
// page cells, their labels and their size on screen — matches the simulated page table. The
// screenshot is written to test-output/ for a person to look at.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { AllocationType, MemoryProtectionLevel, memoryMapSvg } from '../../src/index.js';
import { simulated } from '../simulated/fixtures.js';
import { launchChromium } from './chromium.js';

const PAGE = 4096;
const SCREENSHOT = new URL('../../test-output/memory-map.png', import.meta.url);

describe('the memory map in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => browser?.close());

  it('draws one visible cell per page, labelled as the page table says', async () => {
    const { host, mem } = simulated();
    const key = mem.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
    const record = mem.allocate(6000, 16, MemoryProtectionLevel.NoAccess, AllocationType.Secure);
    const infos = [mem.inspect(key), mem.inspect(record)];
    const page = await browser.newPage();
    await page.setContent(memoryMapSvg(infos));
    const cells = await page.locator('g.page').evaluateAll((groups) =>
      groups.map((group) => {
        const box = group.getBoundingClientRect();
        return {
          address: group.getAttribute('data-address'),
          labels: [...group.querySelectorAll('text')].map((t) => t.textContent),
          width: box.width,
          height: box.height,
        };
      }),
    );
    // The page table's pages, one by one, from the host's own view.
    const expected = infos.flatMap((info) =>
      Array.from({ length: info.mapping.length / PAGE }, (_, i) => info.mapping.address + BigInt(i * PAGE)),
    );
    expect(cells.map((cell) => BigInt(cell.address!))).toEqual(expected);
    for (const cell of cells) {
      const [entry] = host.kernelView!(BigInt(cell.address!), PAGE);
      expect(cell.labels[2]).toBe(entry.permissions);
      expect(cell.labels[3]!.split(' ').includes('lo')).toBe(entry.flags.includes('lo'));
      // Drawn, not just present in the document: each cell has an area on screen.
      expect(cell.width).toBeGreaterThan(20);
      expect(cell.height).toBeGreaterThan(20);
    }
    expect(cells.filter((cell) => cell.labels[0] === 'guard')).toHaveLength(4);
    mkdirSync(new URL('.', SCREENSHOT), { recursive: true });
    const shot = await page.locator('svg').screenshot({ path: SCREENSHOT.pathname });
    expect(shot.length).toBeGreaterThan(1000);
    await page.close();
    mem.free(key);
    mem.free(record);
  }, 60_000);
});
