// The Windows host's cases (win32-cases.ts) and the contract suite (test/contract) under vitest,
// on real Windows: the windows-latest CI job runs them. Here (Linux) they skip; `npm run
// test:windows` runs the same cases inside
// the Windows build of Node under Wine.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

const onWindows = process.platform === 'win32';

describe.skipIf(!onWindows)('the win32 host on Windows', async () => {
  if (!onWindows) return;
  const { createWin32Host } = await import('../../host/win32.js');
  const { createPlatformMemory } = await import('../../src/index.js');
  const { WIN32_CASES } = await import('./win32-cases.js');
  const { wineVersion } = await import('./windows-view.js');
  const { CONTRACT_CASES } = await import('../contract/cases.js');
  const { win32Differences } = await import('../contract/platform-differences.js');
  const { koffiWrite } = await import('../contract/raw-write.js');
  const host = createWin32Host();
  const wine = wineVersion();
  // The child runs outside vitest, so it imports the compiled build (`npm test` builds dist first).
  const childScript = fileURLToPath(new URL('./guard-child.mjs', import.meta.url));
  const hostUrl = new URL('../../dist/host/win32.js', import.meta.url).href;
  const memoryUrl = new URL('../../dist/src/platform-memory.js', import.meta.url).href;

  for (const item of WIN32_CASES) {
    it(item.name, (test) =>
      item.run({
        host,
        memory: createPlatformMemory({ host }),
        wine,
        runChild: (mode) =>
          spawnSync(process.execPath, [childScript, hostUrl, memoryUrl, mode], { stdio: 'ignore', timeout: 60_000 })
            .status,
        note: (message) => console.log(`note: ${message}`),
        skip: (reason) => test.skip(reason),
      }),
    );
  }

  const differences = win32Differences(host, wine);
  for (const item of CONTRACT_CASES) {
    it(`contract: ${item.name}`, () =>
      item.run({
        platform: 'win32',
        differences,
        createMemory: () => createPlatformMemory({ host }),
        host,
        rawWrite: koffiWrite,
      }));
  }
});
