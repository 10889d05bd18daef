// The simulated host's random source is SplitMix64: its outputs must equal the reference C
// implementation (compiled here with cc), and its byte stream must not depend on how it is asked for.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitMix64 } from '../../host/simulated/prng.js';
import { createSimulatedHost } from '../../src/testing.js';

// Vigna's splitmix64.c (prng.di.unimi.it), the reference implementation, printing 4 outputs per seed.
const REFERENCE_C = `
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
static uint64_t x;
uint64_t next(void) {
  uint64_t z = (x += 0x9e3779b97f4a7c15);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    x = strtoull(argv[i], 0, 10);
    for (int j = 0; j < 4; j++) printf("%llu\\n", (unsigned long long) next());
  }
  return 0;
}`;

const scratch = mkdtempSync(join(tmpdir(), 'memshield-splitmix-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('SplitMix64', () => {
  it("gives the reference implementation's outputs for several seeds", () => {
    writeFileSync(join(scratch, 'splitmix64.c'), REFERENCE_C);
    execFileSync('cc', ['-O2', '-o', join(scratch, 'splitmix64'), join(scratch, 'splitmix64.c')]);
    const seeds = [0n, 1n, 42n, 1234567n, 2n ** 64n - 1n];
    const reference = execFileSync(join(scratch, 'splitmix64'), seeds.map(String), { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(BigInt);
    const ours = seeds.flatMap((seed) => {
      const stream = splitMix64(seed);
      return [stream.next(), stream.next(), stream.next(), stream.next()];
    });
    expect(ours).toEqual(reference);
    expect(ours[0]).toBe(0xe220a8397b1dcdafn); // the published first output for seed 0
  });

  it('hands out the same bytes however the requests are split', () => {
    const whole = new Uint8Array(40);
    splitMix64(9n).fill(whole);
    const stream = splitMix64(9n);
    const parts = [3, 8, 1, 13, 15].map((length) => {
      const part = new Uint8Array(length);
      stream.fill(part);
      return [...part];
    });
    expect(parts.flat()).toEqual([...whole]);
  });

  it("is the simulated host's randomBytes, little-endian per output, seeded by number or bigint", () => {
    const bytes = new Uint8Array(8);
    createSimulatedHost({ seed: 42 }).randomBytes(bytes);
    const expected = splitMix64(42n).next();
    expect(bytes).toEqual(Uint8Array.from({ length: 8 }, (_, i) => Number((expected >> BigInt(8 * i)) & 0xffn)));
    const fromBigint = new Uint8Array(8);
    createSimulatedHost({ seed: 42n }).randomBytes(fromBigint);
    expect(fromBigint).toEqual(bytes);
  });
});
