// The cross-runtime scenario as a browser bundle: memshield imported by its package name, so the
// bundler picks the entry for this runtime's conditions (browser, worker, workerd). In a page it
// sets globalThis.memshieldScenario; in a Web Worker it says it is ready, then answers each
// message (a seed) with the scenario's output.
import * as main from 'memshield';
import * as testing from 'memshield/testing';
import { scenarioOutput } from '../cross-runtime-scenario-body.mjs';

const api = { ...main, ...testing };

globalThis.memshieldScenario = (seed) => scenarioOutput(api, seed);
if (typeof globalThis.WorkerGlobalScope === 'function' && globalThis instanceof globalThis.WorkerGlobalScope) {
  globalThis.onmessage = (event) => {
    try {
      globalThis.postMessage({ output: scenarioOutput(api, event.data) });
    } catch (error) {
      globalThis.postMessage({ error: String(error?.stack ?? error) });
    }
  };
  // Loaded: the page sends the seed only now, so no message arrives before the handler.
  globalThis.postMessage({ ready: true });
}
