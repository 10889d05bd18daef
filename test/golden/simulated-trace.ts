// Plays a golden scenario on a fresh simulated host and returns the host calls its act made.
import * as api from '../../src/index.js';
import * as testing from '../../src/testing.js';

/** A golden scenario (scenarios.mjs). */
export interface Scenario {
  name: string;
  hostOptions?: testing.SimulatedHostOptions;
  prepare(mem: api.PlatformMemory, memshield: typeof api): api.Region | undefined;
  act(mem: api.PlatformMemory, memshield: typeof api, region: api.Region | undefined): unknown;
}

/** The host calls `scenario.act` makes on a fresh simulated host (4 KiB pages unless `options` say otherwise). */
export function simulatedTrace(scenario: Scenario, options: testing.SimulatedHostOptions = {}): testing.TraceEntry[] {
  const host = testing.createSimulatedHost({ pageSize: 4096, ...options, ...scenario.hostOptions });
  const mem = api.createPlatformMemory({ host });
  const region = scenario.prepare(mem, api);
  host.clearTrace();
  scenario.act(mem, api, region);
  return host.trace();
}
