// The region picture, drawn from fixed RegionInfo values: exact lines, and the geometry that
// makes it readable (addresses over the bars they name, boxes closed on every row).
import { describe, expect, it } from 'vitest';
import { drawRegion } from '../../src/doctor/region-picture.js';
import type { KernelRange } from '../../host/types.js';
import type { RegionInfo } from '../../src/index.js';

const PAGE = 4096;
const BASE = 0x7f3a2c5fd000n;

function entry(start: bigint, permissions: string, flags: string[], locked = 0): KernelRange {
  return { start, end: start + BigInt(PAGE), permissions, flags, lockedBytes: locked, residentBytes: locked };
}

/** A Secure region of `size` bytes (align `align`) as inspect() reports it on Linux. */
function secureRegion(size: number, align: number, withKernel = true): RegionInfo {
  const guardBefore = entry(BASE, '---p', ['mr', 'mw', 'me', 'dc', 'dd']);
  const pages = entry(BASE + 0x1000n, 'rw-p', ['rd', 'wr', 'mr', 'mw', 'me', 'lo', 'dc', 'ac', 'dd'], PAGE);
  const guardAfter = entry(BASE + 0x2000n, '---p', ['mr', 'mw', 'me', 'dc', 'dd']);
  const dataOffset = (2 * PAGE - size) & ~(align - 1);
  const kernel = (...entries: KernelRange[]) => (withKernel ? { kernel: entries } : {});
  // Cast: RegionInfo may carry more than the picture reads (e.g. hostNotes).
  return {
    host: 'linux',
    type: 'Secure',
    protection: 'ReadWrite',
    locked: true,
    lockRequested: true,
    dumpExcluded: true,
    forkExcluded: true,
    canary: true,
    pageKind: 'normal',
    hugePagesAdvised: false,
    pageSize: PAGE,
    size,
    align,
    mapping: { address: BASE, length: 3 * PAGE, ...kernel(guardBefore, pages, guardAfter) },
    dataPages: { address: BASE + 0x1000n, length: PAGE, ...kernel(pages) },
    data: { address: BASE + BigInt(dataOffset), length: size, ...kernel(pages) },
    guards: [
      { address: BASE, length: PAGE, position: 'before', ...kernel(guardBefore) },
      { address: BASE + 0x2000n, length: PAGE, position: 'after', ...kernel(guardAfter) },
    ],
    hostNotes: [],
  } as RegionInfo;
}

describe('drawRegion', () => {
  it('draws guard | data pages | guard with the kernel permissions and flags of each', () => {
    expect(drawRegion(secureRegion(32, 8))).toEqual([
      ' 0x7f3a2c5fd000   0x7f3a2c5fe000                 0x7f3a2c5ff000   0x7f3a2c600000',
      ' ┌────────────────┬──────────────────────────────┬────────────────┐',
      ' │ guard  4 KiB   │ data pages 4 KiB             │ guard  4 KiB   │',
      ' │ ---p dd dc     │ rw-p lo dd dc                │ ---p dd dc     │',
      ' └────────────────┴──────────────────────────────┴────────────────┘',
      '                    data 0x7f3a2c5fefe0 (32 B), 4064 B canary in front, ends at the trailing guard',
    ]);
  });

  it('puts each boundary address over the bar it names', () => {
    const [addresses, top] = drawRegion(secureRegion(32, 8));
    const bars = [...top].flatMap((char, column) => ('┌┬┐'.includes(char) ? [column] : []));
    const starts = [...addresses.matchAll(/0x[0-9a-f]+/g)].map((match) => match.index);
    expect(starts).toEqual(bars);
  });

  it('closes every row of the box at the same column', () => {
    const lines = drawRegion(secureRegion(32, 8)).slice(1, 5);
    const widths = lines.map((line) => [...line].length);
    expect(new Set(widths).size).toBe(1);
  });

  it('says how far the data ends before the trailing guard when the alignment leaves a gap', () => {
    const sentence = drawRegion(secureRegion(37, 16)).at(-1)!;
    // 8192 - 37 = 8155, aligned down to 16 → 8144: data at page offset 4048, 11 bytes of slack behind it.
    expect(sentence.trim()).toBe(
      'data 0x7f3a2c5fefd0 (37 B), 4048 B canary in front, ends 11 B before the trailing guard',
    );
  });

  it("shows memshield's own report where the host has no kernel view", () => {
    const [, , , state] = drawRegion(secureRegion(32, 8, false));
    expect(state).toBe(' │ NoAccess       │ ReadWrite locked no-dump no-fork │ NoAccess       │');
  });

  it('draws only the guards a region has', () => {
    const info = secureRegion(32, 8);
    const oneGuard: RegionInfo = {
      ...info,
      mapping: { ...info.mapping, address: BASE + 0x1000n, length: 2 * PAGE },
      guards: info.guards.slice(1),
    };
    const [addresses, top, label] = drawRegion(oneGuard);
    expect(top).toBe(' ┌──────────────────────────────┬────────────────┐');
    expect(label).toBe(' │ data pages 4 KiB             │ guard  4 KiB   │');
    expect(addresses.trim().split(/\s+/)).toEqual(['0x7f3a2c5fe000', '0x7f3a2c5ff000', '0x7f3a2c600000']);
  });
});
