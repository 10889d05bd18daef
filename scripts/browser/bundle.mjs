// Bundles a browser or worker entry with esbuild, as an application would: memshield resolved by
// its package name through package.json "exports"/"imports" under the runtime's conditions.
// Returns the bundle's text and esbuild's warnings (a Node built-in reaching the bundle is one).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Conditions per target: browsers and Web Workers, and Cloudflare's workerd. */
export const CONDITIONS = { browser: ['browser'], worker: ['worker', 'browser'], workerd: ['workerd', 'worker', 'browser'] };

/**
 * @param {string} entry - the entry file
 * @param {'browser' | 'worker' | 'workerd'} target
 * @param {{ wasmAs?: string }} options - wasmAs: keep .wasm imports, renamed to this module name (workerd)
 * @returns {Promise<{ text: string, warnings: string[], inputs: string[] }>}
 */
export async function bundle(entry, target = 'browser', { wasmAs } = {}) {
  const wasmModules = { name: 'wasm-modules', setup: (build) => build.onResolve({ filter: /\.wasm$/ }, () => ({ path: wasmAs, external: true })) };
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: CONDITIONS[target],
    metafile: true,
    logLevel: 'silent',
    // memshield by name resolves to this checkout (as node_modules/memshield would).
    alias: { memshield: root },
    plugins: wasmAs ? [wasmModules] : [],
  });
  return {
    text: result.outputFiles[0].text,
    warnings: result.warnings.map((warning) => `${warning.location?.file ?? ''}: ${warning.text}`),
    inputs: Object.keys(result.metafile.inputs),
  };
}
