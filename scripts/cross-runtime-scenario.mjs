// The cross-runtime scenario (scripts/cross-runtime-scenario-body.mjs) for Node, Bun and Deno: the
// built memshield (main entry and memshield/testing), the seed from the command line, one JSON
// line printed. Usage: <runtime> cross-runtime-scenario.mjs [seed]
import { scenarioOutput } from './cross-runtime-scenario-body.mjs';

const api = {
  ...(await import(new URL('../dist/src/index.js', import.meta.url))),
  ...(await import(new URL('../dist/src/testing.js', import.meta.url))),
};
console.log(scenarioOutput(api, process.argv[2] ?? 0x5eed));
