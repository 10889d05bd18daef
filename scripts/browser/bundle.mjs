// Bundles a browser or worker entry with esbuild, as an application would: memshield resolved by
// its package name through package.json "exports"/"imports" under the runtime's conditions.
// Returns the bundle's text and esbuild's warnings (a Node built-in reaching the bundle is one).
import { build } from 'esbuild';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A folder where `memshield` is this checkout (as node_modules/memshield would be), for nodePaths. */
export function selfPackageDir() {
  const dir = join(root, 'test-output', 'self');
  mkdirSync(dir, { recursive: true });
  try {
    symlinkSync(root, join(dir, 'memshield'), 'dir');
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  return dir;
}

/** Conditions per target: browsers and Web Workers, and Cloudflare's workerd. */
export const CONDITIONS = {
  browser: ['browser'],
  worker: ['worker', 'browser'],
  workerd: ['workerd', 'worker', 'browser'],
};

/**
 * @param {string} entry - the entry file
 * @param {'browser' | 'worker' | 'workerd'} target
 * @param {{ wasmAs?: string }} options - wasmAs: keep .wasm imports, renamed to this module name (workerd)
 * @returns {Promise<{ text: string, warnings: string[], inputs: string[] }>}
 */
export async function bundle(entry, target = 'browser', { wasmAs } = {}) {
  const wasmModules = {
    name: 'wasm-modules',
    setup: (build) => build.onResolve({ filter: /\.wasm$/ }, () => ({ path: wasmAs, external: true })),
  };
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
    // memshield and memshield/testing by name resolve to this checkout, through its "exports".
    nodePaths: [selfPackageDir()],
    plugins: wasmAs ? [wasmModules] : [],
  });
  return {
    text: result.outputFiles[0].text,
    warnings: result.warnings.map((warning) => `${warning.location?.file ?? ''}: ${warning.text}`),
    inputs: Object.keys(result.metafile.inputs),
  };
}
