// The picture of a region the doctor draws: its ranges side by side, each with its size and
// what the kernel reports for it, the boundary addresses above and where the data sits below.
//
//  0x7f3a2c5fd000  0x7f3a2c5fe000                0x7f3a2c5ff000  0x7f3a2c600000
//  ┌───────────────┬─────────────────────────────┬───────────────┐
//  │ guard  4 KiB  │ data pages 4 KiB            │ guard  4 KiB  │   ← label: range and size
//  │ ---p dd dc    │ rw-p lo dd dc               │ ---p dd dc    │   ← kernel: permissions, VmFlags
//  └───────────────┴─────────────────────────────┴───────────────┘
//                    data 0x7f3a2c5fefe0 (32 B), 4064 B canary in front, ends at the trailing guard
import type { AddressRange, RegionInfo } from '../inspect.js';
import { formatBytes, hex } from './format.js';
import { describeEntries } from './kernel-view.js';

/** Narrowest cell widths (between the bars), so short labels still look like pages. */
const GUARD_MIN_WIDTH = 16;
const DATA_MIN_WIDTH = 30;

/** One box of the picture. */
interface Cell {
  range: AddressRange;
  label: string;
  state: string;
  minWidth: number;
}

/** What memshield itself says about a range, where the host has no kernel view. */
function ownState(info: RegionInfo, isGuard: boolean): string {
  if (isGuard) return 'NoAccess';
  const flags = [info.locked && 'locked', info.dumpExcluded && 'no-dump', info.forkExcluded && 'no-fork'].filter(
    Boolean,
  );
  return [info.protection, ...flags].join(' ');
}

function cellsOf(info: RegionInfo): Cell[] {
  const guard = (range: AddressRange): Cell => ({
    range,
    label: `guard  ${formatBytes(range.length)}`,
    state: range.kernel ? describeEntries(range.kernel) : ownState(info, true),
    minWidth: GUARD_MIN_WIDTH,
  });
  const data: Cell = {
    range: info.dataPages,
    label: `data pages ${formatBytes(info.dataPages.length)}`,
    state: info.dataPages.kernel ? describeEntries(info.dataPages.kernel) : ownState(info, false),
    minWidth: DATA_MIN_WIDTH,
  };
  return [
    ...info.guards.filter((range) => range.position === 'before').map(guard),
    data,
    ...info.guards.filter((range) => range.position === 'after').map(guard),
  ];
}

/** Writes `text` into `line` at `column`, or just after what is already there. */
function placeAt(line: string, column: number, text: string): string {
  const start = Math.max(column, line.trimEnd().length + (line.trim() ? 1 : 0));
  return line.padEnd(start) + text;
}

/** Where the data sits in its pages, in words. */
function dataSentence(info: RegionInfo): string {
  const dataEnd = info.data.address + BigInt(info.data.length);
  const front = Number(info.data.address - info.dataPages.address);
  const parts = [`data ${hex(info.data.address)} (${formatBytes(info.data.length)})`];
  if (front > 0) parts.push(`${formatBytes(front)} ${info.canary ? 'canary' : 'slack'} in front`);
  const trailing = info.guards.find((range) => range.position === 'after');
  if (trailing) {
    const gap = Number(trailing.address - dataEnd);
    parts.push(gap === 0 ? 'ends at the trailing guard' : `ends ${formatBytes(gap)} before the trailing guard`);
  }
  return parts.join(', ');
}

/**
 * Draws a region as boxes: guard | data pages | guard, with the boundary addresses, each
 * range's size and state (the kernel's permissions and VmFlags where the host reads them), and
 * a line saying where the data is.
 * @param info - what `inspect(region)` returned
 * @returns the lines of the picture, without a trailing newline
 */
export function drawRegion(info: RegionInfo): string[] {
  const cells = cellsOf(info);
  const widths = cells.map((cell) =>
    Math.max(cell.minWidth, cell.label.length + 2, cell.state.length + 2, hex(cell.range.address).length + 2),
  );
  const bar = (left: string, middle: string, right: string) =>
    ` ${left}${widths.map((w) => '─'.repeat(w)).join(middle)}${right}`;
  const row = (text: (cell: Cell) => string) =>
    ` │${cells.map((cell, i) => ` ${text(cell)}`.padEnd(widths[i])).join('│')}│`;

  // Boundary columns: the column of each ┌ ┬ ┐ (one leading space, then widths plus bars).
  const columns: number[] = [1];
  for (const width of widths) columns.push(columns[columns.length - 1] + width + 1);
  const ends = [
    ...cells.map((cell) => cell.range.address),
    cells[cells.length - 1].range.address + BigInt(cells[cells.length - 1].range.length),
  ];
  let addresses = '';
  ends.forEach((address, i) => {
    addresses = placeAt(addresses, columns[i], hex(address));
  });

  const dataIndex = cells.findIndex((cell) => cell.range === info.dataPages);
  return [
    addresses,
    bar('┌', '┬', '┐'),
    row((cell) => cell.label),
    row((cell) => cell.state),
    bar('└', '┴', '┘'),
    placeAt('', columns[dataIndex] + 2, dataSentence(info)),
  ];
}
