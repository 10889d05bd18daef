// Shared by the simulated-host and core tests: a PlatformMemory over a fresh simulated host, the
// page sizes every core test runs with, and an error-code assertion.
import { expect } from 'vitest';
import { kernelDisagreements } from '../contract/kernel-check.js';
import { PLATFORM_DIFFERENCES } from '../contract/platform-differences.js';
import {
  createPlatformMemory,
  MemoryProtectionError,
  type MemoryProtectionErrorCode,
  type PlatformMemory,
  type Region,
} from '../../src/index.js';
import { createSimulatedHost, type SimulatedHost, type SimulatedHostOptions } from '../../src/testing.js';

/** The page sizes of the machines memshield runs on: x86-64, Apple silicon, some arm64 Linux. */
export const PAGE_SIZES = [4096, 16384, 65536] as const;

/** A fresh simulated host and a PlatformMemory over it. */
export function simulated(options: SimulatedHostOptions = {}): { host: SimulatedHost; mem: PlatformMemory } {
  const host = createSimulatedHost(options);
  return { host, mem: createPlatformMemory({ host }) };
}

/** Runs `action`, expects a MemoryProtectionError with `code`, returns it. */
export function expectCode(action: () => unknown, code: MemoryProtectionErrorCode): MemoryProtectionError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(MemoryProtectionError);
  expect((caught as MemoryProtectionError).code, (caught as Error).message).toBe(code);
  return caught as MemoryProtectionError;
}

/** Expects the simulated page table to agree with what inspect() says about `region`. */
export function expectPageTableAgrees(mem: PlatformMemory, region: Region): void {
  expect(kernelDisagreements(mem.inspect(region), PLATFORM_DIFFERENCES.simulated!)).toEqual([]);
}

/** Expects nothing mapped or locked on the host, and no live region in memshield. */
export function expectNothingLeft(host: SimulatedHost, mem: PlatformMemory): void {
  expect(host.usage()).toEqual({ mappings: 0, vmas: 0, mappedBytes: 0, lockedBytes: 0 });
  expect(mem.stats()).toEqual({ liveRegions: 0, mappedBytes: 0, lockedBytes: 0 });
}
