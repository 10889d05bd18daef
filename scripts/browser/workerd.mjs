// The cross-runtime scenario in Cloudflare's workerd (the npm package's binary): the esbuild bundle
// for the `workerd` condition, with the Wasm core as a wasm module (workerd compiles no Wasm from
// bytes at run time), served by a module worker that answers ?seed=N with the scenario's output.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from './bundle.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entry = fileURLToPath(new URL('./scenario-entry.mjs', import.meta.url));
const WORKERD = join(root, 'node_modules/@cloudflare/workerd-linux-64/bin/workerd');

const WORKER = `import './scenario.js';
export default {
  async fetch(request) {
    try {
      return new Response(globalThis.memshieldScenario(new URL(request.url).searchParams.get('seed')));
    } catch (error) {
      return new Response(String(error?.stack ?? error), { status: 500 });
    }
  },
};
`;

const config = (port) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "scenario.js", esModule = embed "scenario.js"),
    (name = "core.wasm", wasm = embed "core.wasm"),
  ],
  # Measured: with compatibilityDate 2025-01-01 workerd has no FinalizationRegistry (memshield uses it).
  compatibilityDate = "2025-11-01",
);
`;

/** A port nobody listens on now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      })
      .on('error', reject);
  });
}

/**
 * @param {(runtime: string) => string} seedFor - the seed the runtime gets
 * @returns {Promise<{ runtime: string, version?: string, output?: string, error?: string }>}
 */
export async function runInWorkerd(seedFor) {
  const runtime = 'workerd';
  const built = await bundle(entry, 'workerd', { wasmAs: 'core.wasm' });
  if (built.warnings.length) return { runtime, error: `bundle warnings: ${built.warnings.join('; ')}` };
  const dir = mkdtempSync(join(tmpdir(), 'memshield-workerd-'));
  const port = await freePort();
  writeFileSync(join(dir, 'scenario.js'), built.text);
  writeFileSync(join(dir, 'worker.js'), WORKER);
  // workerd embeds files relative to its config.
  copyFileSync(join(root, 'build/core.wasm'), join(dir, 'core.wasm'));
  writeFileSync(join(dir, 'config.capnp'), config(port));
  const child = spawn(WORKERD, ['serve', join(dir, 'config.capnp')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  try {
    const version = `workerd ${(await import('workerd/package.json', { with: { type: 'json' } })).default.version}`;
    // workerd listens once it has loaded the worker: retry until it answers (or exits).
    for (let attempt = 0; attempt < 300; attempt++) {
      if (child.exitCode !== null)
        return { runtime, version, error: `workerd exited ${child.exitCode}: ${stderr.trim().slice(0, 500)}` };
      try {
        const response = await fetch(`http://127.0.0.1:${port}/?seed=${seedFor(runtime)}`);
        const text = await response.text();
        return response.ok ? { runtime, version, output: text } : { runtime, version, error: text.slice(0, 500) };
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return { runtime, version, error: `workerd did not answer: ${stderr.trim().slice(0, 500)}` };
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
