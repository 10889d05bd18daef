// Child for test/golden/strace.test.ts, run under strace: plays every golden scenario that needs
// no simulated faults on the Linux host, between two markers (access() of /memshield-marker/NAME,
// which strace records with its path), and prints where each scenario's mapping lies so the test
// can tell memshield's system calls from V8's.
import { existsSync } from 'node:fs';
import { goldenScenarios } from './scenarios.mjs';

const dist = new URL('../../dist/', import.meta.url);
const api = await import(new URL('src/index.js', dist));
const { createLinuxHost } = await import(new URL('host/linux.js', dist));

const host = createLinuxHost();
const marker = (name) => existsSync(`/memshield-marker/${name}`);
const reports = [];
for (const [index, scenario] of goldenScenarios().entries()) {
  if (scenario.hostOptions) continue; // needs the simulated host's faults or capabilities
  const mem = api.createPlatformMemory({ host });
  const region = scenario.prepare(mem, api);
  const before = region ? mem.inspect(region).mapping : undefined;
  marker(`begin-${index}`);
  const made = scenario.act(mem, api, region);
  marker(`end-${index}`);
  const mapping = before ?? mem.inspect(made).mapping;
  reports.push({ index, name: scenario.name, address: mapping.address.toString(), length: mapping.length });
  for (const live of [region, made]) if (live && !live.freed) mem.free(live);
}
console.log(JSON.stringify({ reports, capabilities: host.capabilities(), pageSize: host.pageSize() }));
