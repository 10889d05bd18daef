// The vitest adapter of the contract suite: every case of cases.ts, on every host available here.
import { describe, it } from 'vitest';
import { CONTRACT_CASES } from './cases.js';
import { hostsUnderTest } from './hosts.js';

for (const host of hostsUnderTest()) {
  describe(`the contract on the ${host.label} host`, () => {
    for (const testCase of CONTRACT_CASES) {
      it(testCase.name, () => testCase.run(host.context()));
    }
  });
}
