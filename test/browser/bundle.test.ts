// A browser application that imports memshield, bundled by esbuild as users bundle it: it builds
// with no warning (no static Node built-in import; the `browser` condition of package.json
// "imports" swaps the native memory host for host/no-native.ts), runs the
// README's simulated-host example in headless Chromium, and the main entry's native calls fail
// there with MemoryProtectionError NOT_SUPPORTED. Control: the same app bundled for Node (no
// browser condition) does carry the native host.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { build } from 'esbuild';
// @ts-expect-error: a plain script module without types
import { selfPackageDir } from '../../scripts/browser/bundle.mjs';
import { expectFreshBuild } from '../helpers/fresh-build.js';
import { launchChromium } from './chromium.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
/** The README's simulated-host example, as the README shows it. */
const example = /<!-- test\/examples\/readme-simulated-host\.test\.ts -->\n```ts\n([\s\S]*?)```/.exec(readme)![1];

/** The app: the README example, then a native call through the main entry. */
const APP = `${example}
import { PlatformMemory, MemoryProtectionError as Mpe, hardenProcess } from 'memshield';
try {
  globalThis.hardening = hardenProcess({ coreDumps: false }).steps.map((step) => step.outcome);
} catch (error) {
  globalThis.hardening = [String(error)];
}
try {
  PlatformMemory.pageSize();
  globalThis.nativeCall = 'allowed';
} catch (error) {
  globalThis.nativeCall = error instanceof Mpe ? error.code : String(error);
}
`;

async function bundleApp(dir: string, platform: 'browser' | 'node') {
  const entry = join(dir, 'app.mjs');
  writeFileSync(entry, APP);
  return build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: 'esm',
    platform,
    metafile: true,
    logLevel: 'silent',
    nodePaths: [selfPackageDir()],
    alias: { vitest: join(root, 'test/browser/mini-vitest.mjs') },
    // Under Node, koffi stays a package import, as in any Node bundle.
    external: platform === 'node' ? ['koffi'] : [],
  });
}

describe('a browser app bundled with esbuild', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    expectFreshBuild();
    mkdirSync(join(root, 'test-output'), { recursive: true });
    dir = mkdtempSync(join(root, 'test-output', 'bundle-'));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'builds with no warnings (a static Node built-in import would be one) ' +
      'and without the native memory host (control: the Node bundle has it)',
    async () => {
      expect(example).toContain("from 'memshield'");
      const forBrowser = await bundleApp(dir, 'browser');
      expect(forBrowser.warnings).toEqual([]);
      const inputs = Object.keys(forBrowser.metafile.inputs);
      expect(inputs).toContain('dist/host/no-native.js');
      expect(inputs.filter((input) => /host\/(native|linux|darwin|win32)\.js$/.test(input))).toEqual([]);
      const forNode = await bundleApp(dir, 'node');
      expect(Object.keys(forNode.metafile.inputs)).toContain('dist/host/linux.js');
    },
  );

  it('runs the README example in Chromium, and a native call there is NOT_SUPPORTED', async () => {
    const { outputFiles } = await bundleApp(dir, 'browser');
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.route('http://memshield.test/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>app</title>' }),
    );
    await page.goto('http://memshield.test/');
    await page.addScriptTag({ type: 'module', content: outputFiles[0].text });
    await page.waitForFunction(() => 'nativeCall' in globalThis);
    const outcome = await page.evaluate(() => {
      // What the bundled app left on the page's global object.
      const app = globalThis as unknown as { results: unknown; nativeCall: unknown; hardening: string[] };
      return { results: app.results, nativeCall: app.nativeCall, hardening: app.hardening };
    });
    expect(errors).toEqual([]);
    expect(outcome.results).toEqual([
      { name: 'reports a lock failure instead of keeping the key unprotected', ok: true },
    ]);
    expect(outcome.nativeCall).toBe('NOT_SUPPORTED');
    // hardenProcess is in the bundle too, and says it can do nothing here.
    expect(outcome.hardening.length).toBeGreaterThan(0);
    expect(new Set(outcome.hardening)).toEqual(new Set(['unavailable']));
    await page.close();
  }, 60_000);
});
