// The small pieces of the doctor's output: byte counts, limits, hex addresses, and when to color.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatLimit, hex, limitOf } from '../../src/doctor/format.js';
import { bigintAsHex } from '../../src/doctor/render-json.js';
import { colorStyle, plainStyle, wantsColor } from '../../src/doctor/style.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [32, '32 B'],
    [1023, '1023 B'],
    [4096, '4 KiB'],
    [4064, '4064 B'],
    [1536 * 1024, '1536 KiB'],
    [8 * 1024 * 1024, '8 MiB'],
    [2 ** 40, '1 TiB'],
  ])('writes %i bytes as %s, the largest unit that keeps the count exact', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('limits and addresses', () => {
  it('reads RLIM_INFINITY (all ones) as unlimited and anything below as bytes', () => {
    expect(limitOf(0xffffffffffffffffn)).toBe('unlimited');
    expect(limitOf(8388608)).toBe(8388608);
    expect(limitOf(8388608n)).toBe(8388608);
    expect(formatLimit('unlimited')).toBe('unlimited');
    expect(formatLimit(65536)).toBe('64 KiB');
  });

  it('prints addresses as /proc/self/maps does, with 0x', () => {
    expect(hex(0x7f3a2c5fd000n)).toBe('0x7f3a2c5fd000');
  });

  it('turns bigints into hex strings in JSON and leaves other values alone', () => {
    expect(JSON.stringify({ address: 0x7f00n, length: 4096, name: 'x' }, bigintAsHex)).toBe(
      '{"address":"0x7f00","length":4096,"name":"x"}',
    );
  });
});

describe('wantsColor', () => {
  it.each([
    [true, undefined, true],
    [true, '', true],
    [true, '1', false],
    [true, '0', false],
    [false, undefined, false],
    [undefined, undefined, false],
  ])('on a terminal %s with NO_COLOR=%s colors: %s', (isTTY, noColor, expected) => {
    const env = noColor === undefined ? {} : { NO_COLOR: noColor };
    expect(wantsColor({ isTTY }, env)).toBe(expected);
  });

  it('colors with ANSI escapes only in the color style', () => {
    expect(colorStyle.ok('✓')).toBe('\x1b[32m✓\x1b[39m');
    expect(plainStyle.ok('✓')).toBe('✓');
  });
});
