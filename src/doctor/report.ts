// The doctor's report: the machine's facts and the self-test's steps, in one object that the
// text and JSON renderers both print.
import { readFileSync } from 'node:fs';
import { PlatformMemory, nativeHost } from '../default-memory.js';
import { gatherMachineFacts, type MachineFacts } from './machine-facts.js';
import { runSelfTest, type SelfTestResult } from './self-test.js';

/** Everything `memshield doctor` found. */
export interface DoctorReport {
  /** memshield's version (package.json). */
  version: string;
  facts: MachineFacts;
  selfTest: SelfTestResult;
  /** Every self-test step passed: the exit status is 0. */
  ok: boolean;
}

/** memshield's version, from the nearest package.json named memshield above this file. */
export function memshieldVersion(): string {
  let directory = new URL('.', import.meta.url);
  for (let depth = 0; depth < 5; depth++) {
    try {
      const manifest = JSON.parse(readFileSync(new URL('package.json', directory), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'memshield' && manifest.version) return manifest.version;
    } catch {
      // not here: look one directory up
    }
    directory = new URL('..', directory);
  }
  return 'unknown';
}

/** Gathers the facts, then runs the self-test (so the facts show the process before it). */
export function runDoctor(): DoctorReport {
  const facts = gatherMachineFacts();
  const selfTest = runSelfTest(PlatformMemory, nativeHost);
  return { version: memshieldVersion(), facts, selfTest, ok: selfTest.ok };
}
