// The hosts this machine can run, for the vitest adapters (contract and property tests): the
// native one where there is one, and the simulated host at 4, 16 and 64 KiB pages.
import { createLinuxHost } from '../../host/linux.js';
import { createPlatformMemory, type PlatformMemory } from '../../src/index.js';
import { createSimulatedHost, type Host, type SimulatedHost } from '../../src/testing.js';
import type { ContractContext } from './cases.js';
import { PLATFORM_DIFFERENCES } from './platform-differences.js';
import { koffiWrite } from './raw-write.js';

/** One host under test. */
export interface HostUnderTest {
  /** For test titles: `linux`, `simulated (16 KiB pages)`, … */
  label: string;
  context(): ContractContext;
}

let linuxHost: Host | undefined;

function linux(): HostUnderTest {
  return {
    label: 'linux',
    context: () => {
      linuxHost ??= createLinuxHost();
      const host = linuxHost;
      return {
        platform: 'linux',
        differences: PLATFORM_DIFFERENCES.linux!,
        createMemory: () => createPlatformMemory({ host }),
        host,
        rawWrite: koffiWrite,
      };
    },
  };
}

function simulated(pageSize: number): HostUnderTest {
  return {
    label: pageSize === 4096 ? 'simulated' : `simulated (${pageSize / 1024} KiB pages)`,
    context: () => {
      const host: SimulatedHost = createSimulatedHost({ pageSize });
      return {
        platform: 'simulated',
        differences: PLATFORM_DIFFERENCES.simulated!,
        createMemory: (): PlatformMemory => createPlatformMemory({ host }),
        host,
        rawWrite: (address, bytes) => host.raw.write(address, bytes),
      };
    },
  };
}

/** Every host available here. */
export function hostsUnderTest(): HostUnderTest[] {
  const hosts = [simulated(4096), simulated(16384), simulated(65536)];
  if (process.platform === 'linux') hosts.unshift(linux());
  return hosts;
}
