// The Windows suite on node:test, run by the Windows build of Node (under Wine here; vitest
// cannot start there). scripts/test-windows.sh compiles this file and everything it imports
// into .wine-test/build and runs it with `node.exe --test-reporter=spec`: the win32 cases
// (win32-cases.ts), then every case of the contract suite (test/contract) on the win32 host.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createWin32Host } from '../../host/win32.js';
import { createPlatformMemory } from '../../src/index.js';
import { CONTRACT_CASES } from '../contract/cases.js';
import { WIN32_CASES, type WindowsContext } from './win32-cases.js';
import { win32Differences } from '../contract/platform-differences.js';
import { koffiWrite } from '../contract/raw-write.js';
import { wineVersion } from './windows-view.js';

const here = new URL('.', import.meta.url);
const hostUrl = new URL('../../host/win32.js', here).href;
const memoryUrl = new URL('../../src/platform-memory.js', here).href;
// The child is plain JavaScript kept beside the sources: MEMSHIELD_SOURCE_ROOT points there.
const childScript = fileURLToPath(
  new URL('test/windows/guard-child.mjs', pathToFileURL(`${process.env.MEMSHIELD_SOURCE_ROOT ?? '.'}/`)),
);

const wine = wineVersion();
const host = createWin32Host();

function context(t: TestContext): WindowsContext {
  return {
    host,
    memory: createPlatformMemory({ host }),
    wine,
    runChild(mode) {
      // stdio ignored: under Wine, Node's output on a pipe fails (shared/PLATFORM-NOTES.md).
      return spawnSync(process.execPath, [childScript, hostUrl, memoryUrl, mode], { stdio: 'ignore', timeout: 60_000 })
        .status;
    },
    note: (message) => console.log(`  note: ${message}`),
    skip: (reason) => t.skip(reason),
  };
}

test(
  `Windows host under ${wine ? `Wine ${wine}` : 'Windows'} (${process.platform} ` +
    `${process.arch}, Node ${process.version})`,
  () => {
    if (!existsSync(childScript)) throw new Error(`guard child not found at ${childScript}: set MEMSHIELD_SOURCE_ROOT`);
  },
);

for (const item of WIN32_CASES) test(item.name, (t) => item.run(context(t)));

// The shared contract suite (test/contract/cases.ts): the same cases every host runs.
const differences = win32Differences(host, wine);
if (wine)
  console.log(
    `  note: Wine ${wine}: the contract's kernel comparison is left out ` +
      `(QueryWorkingSetEx reports no locks); the win32 cases check VirtualQuery`,
  );
for (const item of CONTRACT_CASES) {
  test(`contract: ${item.name}`, () =>
    item.run({
      platform: 'win32',
      differences,
      createMemory: () => createPlatformMemory({ host }),
      host,
      rawWrite: koffiWrite,
    }));
}
