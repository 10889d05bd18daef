// Layout math of the core, as tables for page sizes 4, 16 and 64 KiB, plus its invariants over
// random inputs. Expected values are worked out by hand from the diagram in assembly/layout.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bareCore } from '../helpers/bare-core.js';

const core = bareCore();
const KiB = 1024;

interface Plan {
  mappingLength: number;
  dataPagesOffset: number;
  dataPagesLength: number;
  dataOffset: number;
  baseAlignment: number;
}

function plan(
  size: number,
  align: number,
  pageSize: number,
  before: number,
  after: number,
  atEnd: boolean,
): Plan | number {
  const status = core.plan(size, align, pageSize, before, after, atEnd ? 1 : 0);
  if (status !== 0) return status;
  return {
    mappingLength: core.planField(0),
    dataPagesOffset: core.planField(1),
    dataPagesLength: core.planField(2),
    dataOffset: core.planField(3),
    baseAlignment: core.planField(4),
  };
}

// [size, align, guards before, guards after, at end] → [mapping, data pages offset, data pages
// length, data offset, base alignment]
type Row = [number, number, number, number, boolean, [number, number, number, number, number]];

const tables: Record<number, Row[]> = {
  [4 * KiB]: [
    [32, 8, 1, 1, true, [12288, 4096, 4096, 8160, 4096]], // libsodium's case: data ends at the guard
    [33, 16, 1, 1, true, [12288, 4096, 4096, 8144, 4096]], // 15 bytes of back slack: alignment wins
    [4096, 8, 1, 1, true, [12288, 4096, 4096, 4096, 4096]], // exactly one page: no slack at all
    [4097, 8, 1, 1, true, [16384, 4096, 8192, 8184, 4096]], // one byte more: a second data page
    [100, 8192, 1, 1, true, [16384, 4096, 8192, 8192, 8192]], // align above the page: base aligned to it
    [1, 1, 2, 3, true, [24576, 8192, 4096, 12287, 4096]], // several guards, the last data byte touches them
    [100, 8, 1, 0, true, [8192, 4096, 4096, 8088, 4096]], // guard before only: 8192 - 100 rounded down to 8
    [100, 8, 0, 1, true, [8192, 0, 4096, 3992, 4096]], // guard after only
    [100, 8, 0, 0, false, [4096, 0, 4096, 0, 4096]], // Regular: data at the start
    [100, 65536, 0, 0, false, [4096, 0, 4096, 0, 65536]], // Regular, large alignment: base carries it
    [2 ** 47, 1, 0, 0, false, [2 ** 47, 0, 2 ** 47, 0, 4096]], // the largest mapping
  ],
  [16 * KiB]: [
    [32, 8, 1, 1, true, [49152, 16384, 16384, 32736, 16384]],
    [16385, 16, 1, 1, true, [65536, 16384, 32768, 32752, 16384]],
    [100, 4096, 1, 1, true, [49152, 16384, 16384, 28672, 16384]],
    [100, 8, 0, 0, false, [16384, 0, 16384, 0, 16384]],
  ],
  [64 * KiB]: [
    [32, 8, 1, 1, true, [196608, 65536, 65536, 131040, 65536]],
    [65536, 8, 1, 1, true, [196608, 65536, 65536, 65536, 65536]],
    [100, 131072, 1, 1, true, [262144, 65536, 131072, 131072, 131072]], // first aligned byte after the guard
    [100, 8, 0, 0, false, [65536, 0, 65536, 0, 65536]],
  ],
};

describe('layout planning', () => {
  for (const [pageSize, rows] of Object.entries(tables)) {
    describe(`with ${Number(pageSize) / KiB} KiB pages`, () => {
      it.each(rows)(
        'places %i bytes aligned to %i between %i and %i guard pages (at end: %s)',
        (size, align, before, after, atEnd, expected) => {
          const [mappingLength, dataPagesOffset, dataPagesLength, dataOffset, baseAlignment] = expected;
          expect(plan(size, align, Number(pageSize), before, after, atEnd)).toEqual({
            mappingLength,
            dataPagesOffset,
            dataPagesLength,
            dataOffset,
            baseAlignment,
          });
        },
      );
    });
  }

  it('refuses a guarded mapping that would pass 2^47 bytes', () => {
    expect(plan(2 ** 47, 1, 4096, 1, 1, true)).toBe(1); // INVALID_ARGUMENT
    expect(core.failureReason()).toBe(2); // REASON_SIZE_TOO_LARGE
  });

  it.each([
    [0, 8, 1],
    [-1, 8, 1],
    [1.5, 8, 1],
    [Number.NaN, 8, 1],
    [2 ** 47 + 1, 8, 2], // size
    [32, 3, 3],
    [32, 0, 3],
    [32, 0.5, 3],
    [32, 2 ** 31, 4], // alignment
  ])('refuses size %d with alignment %d (reason %i)', (size, align, reason) => {
    expect(plan(size, align, 4096, 1, 1, true)).toBe(1);
    expect(core.failureReason()).toBe(reason);
  });

  it('refuses a page size that is not a power of two', () => {
    expect(plan(32, 8, 3000, 1, 1, true)).toBe(1);
    expect(core.failureReason()).toBe(13);
  });

  it('keeps its invariants for any size, alignment, page size and guard count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 20 }),
        fc.constantFrom(4096, 16384, 65536, 2 * 1024 * 1024),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        (size, alignBits, pageSize, before, after, atEnd) => {
          const align = 2 ** alignBits;
          const result = plan(size, align, pageSize, before, after, atEnd);
          if (typeof result === 'number') return false;
          const { mappingLength, dataPagesOffset, dataPagesLength, dataOffset, baseAlignment } = result;
          const pagesEnd = dataPagesOffset + dataPagesLength;
          expect(dataOffset % align).toBe(0); // the data honours the alignment
          expect(dataPagesOffset).toBe(before * pageSize); // guards come first, whole pages
          expect(mappingLength - pagesEnd).toBe(after * pageSize);
          expect(dataPagesLength % pageSize).toBe(0);
          expect(dataOffset).toBeGreaterThanOrEqual(dataPagesOffset); // data inside the data pages
          expect(dataOffset + size).toBeLessThanOrEqual(pagesEnd);
          expect(baseAlignment).toBe(Math.max(align, pageSize));
          if (atEnd)
            expect(pagesEnd - (dataOffset + size)).toBeLessThan(align); // against the trailing guard
          else expect(dataOffset).toBe(Math.ceil(dataPagesOffset / align) * align);
          // No whole page is wasted in front of the data beyond what the alignment needs.
          expect(dataOffset - dataPagesOffset).toBeLessThan(pageSize + align);
          return true;
        },
      ),
      { numRuns: 2000 },
    );
  });
});
