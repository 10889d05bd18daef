// The cross-runtime scenario in headless Chromium (Debian's `chromium` package, driven by
// playwright-core; nothing downloads a browser): once in a page, once in a module Web Worker, each
// from an esbuild bundle that imports memshield by name under the runtime's conditions.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { bundle } from './bundle.mjs';

/** Where Debian installs Chromium; CHROMIUM overrides it. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ORIGIN = 'http://memshield.test';
const entry = fileURLToPath(new URL('./scenario-entry.mjs', import.meta.url));

/**
 * @param {(runtime: string) => string} seedFor - the seed each runtime gets
 * @returns {Promise<Array<{ runtime: string, version?: string, output?: string, error?: string }>>}
 */
export async function runInChromium(seedFor) {
  const names = ['chromium-page', 'chromium-worker'];
  if (!existsSync(CHROMIUM))
    return names.map((runtime) => ({ runtime, error: `no Chromium at ${CHROMIUM} (apt-get install -y chromium)` }));
  const [pageBundle, workerBundle] = await Promise.all([bundle(entry, 'browser'), bundle(entry, 'worker')]);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox'] });
  try {
    const version = `chromium ${browser.version()}`;
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (error) => problems.push(String(error)));
    // A page with a real origin (about:blank's is null, and a null origin may not start module workers).
    await page.route(`${ORIGIN}/**`, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>memshield</title>' }),
    );
    await page.goto(`${ORIGIN}/`);
    await page.addScriptTag({ type: 'module', content: pageBundle.text });
    await page.waitForFunction(() => typeof globalThis.memshieldScenario === 'function');
    const inPage = await page.evaluate((seed) => globalThis.memshieldScenario(seed), seedFor('chromium-page'));
    // A module worker from a Blob URL: the bundle is self-contained, no server needed.
    const inWorker = await page.evaluate(
      ([text, seed]) =>
        new Promise((resolve) => {
          const worker = new Worker(URL.createObjectURL(new Blob([text], { type: 'text/javascript' })), {
            type: 'module',
          });
          worker.onmessage = (event) => {
            if (event.data.ready) return worker.postMessage(seed);
            resolve(event.data);
            worker.terminate();
          };
          worker.onerror = (event) => {
            resolve({ error: `worker error: ${event.message ?? event.type}` });
            worker.terminate();
          };
        }),
      [workerBundle.text, seedFor('chromium-worker')],
    );
    const withWarnings = (result, warnings) =>
      warnings.length ? { ...result, error: `bundle warnings: ${warnings.join('; ')}` } : result;
    return [
      withWarnings(
        problems.length
          ? { runtime: names[0], version, error: problems.join('; ') }
          : { runtime: names[0], version, output: inPage },
        pageBundle.warnings,
      ),
      withWarnings({ runtime: names[1], version, ...inWorker }, workerBundle.warnings),
    ];
  } finally {
    await browser.close();
  }
}
