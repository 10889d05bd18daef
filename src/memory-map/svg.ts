// The memory map as an SVG picture: one row of page cells per region (a heap: one per arena),
// each cell coloured by what the page holds and labelled with its permissions and flags, so a
// guard, an open data page, a locked or dump-excluded page can be told apart at a glance.
//
//  ┌ title ──────────────────────────────────────────────────┐
//  │ region 1  0x1000000000 · kernel view · 32 B of data     │
//  │ ┌───────┐┌───────┐┌───────┐                             │
//  │ │ guard ││ data  ││ guard │  ← cell: role, address low  │
//  │ │ ---p  ││ rw-p  ││ ---p  │    bits, permissions, flags │
//  │ │ dd dc ││lo dd  ││ dd dc │    (a locked page has a    │
//  │ └───────┘└───────┘└───────┘     thick border)           │
//  │ legend                                                  │
//  └─────────────────────────────────────────────────────────┘
// Every cell is a <g class="page"> carrying the page's state as data-* attributes, so a test (or
// a browser) can count and read what was drawn.
import type { MapPage, MapRegion, PageRole } from './page-map.js';

const CELL_WIDTH = 84;
const CELL_HEIGHT = 64;
const GAP = 4;
const MARGIN = 12;
const ROW_HEADER = 36;
/** Pages per drawn line: a long region wraps. */
const PAGES_PER_LINE = 12;
const LEGEND_HEIGHT = 58;
/** Cells' worth of width at least, so the headers and the legend fit. */
const MIN_CELLS = 6;

/** Fill of each role; guards dark, open data bright, canary amber. */
const ROLE_FILL: Readonly<Record<PageRole, string>> = {
  guard: '#4b5563',
  data: '#34d399',
  'data+canary': '#a3e635',
  canary: '#fbbf24',
  slack: '#e5e7eb',
};
/** A data page nobody can read is drawn pale: its bytes are closed. */
const CLOSED_FILL = '#9ca3af';

/** Escapes text for XML content and attribute values. */
function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `lo dd dc secret`: the flags of a page that matter for secrets. */
export function pageFlags(page: MapPage): string {
  return [page.locked && 'lo', page.dumpExcluded && 'dd', page.forkExcluded && 'dc', page.secretMemory && 'secret']
    .filter(Boolean)
    .join(' ');
}

function cell(page: MapPage, x: number, y: number): string {
  const closed = page.role !== 'guard' && page.permissions.startsWith('---');
  const fill = closed ? CLOSED_FILL : ROLE_FILL[page.role];
  const text = page.role === 'guard' ? '#f9fafb' : '#111827';
  const flags = pageFlags(page);
  const attributes = [
    `data-address="0x${page.address.toString(16)}"`,
    `data-role="${page.role}"`,
    `data-permissions="${xml(page.permissions)}"`,
    `data-locked="${page.locked}"`,
    `data-dump-excluded="${page.dumpExcluded}"`,
    `data-fork-excluded="${page.forkExcluded}"`,
    `data-secret-memory="${page.secretMemory}"`,
  ].join(' ');
  const middle = x + CELL_WIDTH / 2;
  return [
    `<g class="page" ${attributes}>`,
    // A locked page gets a thick blue border: locked is the state most worth seeing.
    `<rect x="${x}" y="${y}" width="${CELL_WIDTH}" height="${CELL_HEIGHT}" rx="3" fill="${fill}" ` +
      `stroke="${page.locked ? '#1d4ed8' : '#374151'}" stroke-width="${page.locked ? 3 : 1}"/>`,
    `<text class="role" x="${middle}" y="${y + 15}" fill="${text}" font-weight="bold">${page.role}</text>`,
    `<text class="address" x="${middle}" y="${y + 29}" fill="${text}">…${page.address.toString(16).slice(-5)}</text>`,
    `<text class="permissions" x="${middle}" y="${y + 43}" fill="${text}">${xml(page.permissions)}</text>`,
    `<text class="flags" x="${middle}" y="${y + 57}" fill="${text}">${xml(flags || '–')}</text>`,
    '</g>',
  ].join('');
}

function legend(y: number): string {
  const items: [string, string][] = [
    ['guard', ROLE_FILL.guard],
    ['data', ROLE_FILL.data],
    ['data+canary', ROLE_FILL['data+canary']],
    ['canary', ROLE_FILL.canary],
    ['closed (---)', CLOSED_FILL],
  ];
  const parts = items.map(([name, fill], i) => {
    const x = MARGIN + i * 104;
    return (
      `<rect x="${x}" y="${y}" width="14" height="14" fill="${fill}" stroke="#374151"/><text ` +
      `x="${x + 20}" y="${y + 11}" text-anchor="start">${name}</text>`
    );
  });
  const notes = [
    'thick blue border: locked in RAM (lo)',
    'dd: not in core dumps · dc: not inherited by fork · secret: memfd_secret',
  ];
  const text = notes.map((note, i) => `<text x="${MARGIN}" y="${y + 32 + 14 * i}" text-anchor="start">${note}</text>`);
  return `<g class="legend">${parts.join('')}${text.join('')}</g>`;
}

/**
 * Draws regions' pages as an SVG document.
 * @param regions - the regions to draw, each from `pagesOf(inspect(region))`
 * @param title - a line above the map
 * @returns the SVG document (deterministic: the same pages give the same text)
 */
export function renderPageMapSvg(regions: readonly MapRegion[], title = 'memshield memory map'): string {
  const lines = regions.map((region) => Math.max(1, Math.ceil(region.pages.length / PAGES_PER_LINE)));
  const widest = Math.max(MIN_CELLS, ...regions.map((region) => Math.min(PAGES_PER_LINE, region.pages.length)));
  const width = 2 * MARGIN + widest * (CELL_WIDTH + GAP);
  let y = MARGIN + 18;
  const body: string[] = [
    `<text class="title" x="${MARGIN}" y="${y - 4}" text-anchor="start" font-weight="bold">${xml(title)}</text>`,
  ];
  regions.forEach((region, index) => {
    const first = region.pages[0]?.address ?? 0n;
    const headers = [
      `region ${index + 1} · ${region.host} host · ` +
        `${region.source === 'kernel' ? "the kernel's view" : "memshield's record"}`,
      `0x${first.toString(16)} · ${region.pages.length} pages of ${region.pageSize} ` +
        `B · ${region.data.length} B of data at 0x${region.data.address.toString(16)}`,
    ];
    body.push(
      `<g class="region" data-index="${index}" data-source="${region.source}" data-pages="${region.pages.length}">`,
    );
    headers.forEach((header, i) => {
      const headerY = y + 13 + 14 * i;
      body.push(`<text class="region-header" x="${MARGIN}" y="${headerY}" text-anchor="start">${xml(header)}</text>`);
    });
    region.pages.forEach((page, i) => {
      const x = MARGIN + (i % PAGES_PER_LINE) * (CELL_WIDTH + GAP);
      body.push(cell(page, x, y + ROW_HEADER + Math.floor(i / PAGES_PER_LINE) * (CELL_HEIGHT + GAP)));
    });
    body.push('</g>');
    y += ROW_HEADER + lines[index] * (CELL_HEIGHT + GAP) + GAP;
  });
  body.push(legend(y + 4));
  const height = y + LEGEND_HEIGHT + MARGIN;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 ` +
      `0 ${width} ${height}" font-family="monospace" font-size="11" text-anchor="middle">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
