// Built-ins replaced after memshield loaded are never handed what it keeps: a child
// (test/fixtures/hostile-hooked-builtins.mjs) replaces them once memshield and its host are
// loaded, then makes, uses, updates, copies and frees secrets (standalone, in a heap, PlatformMemory
// regions) and reports what the replacements were handed. Control: the same replacements do see
// an ordinary Map (or Uint8Array, or koffi.view call) used the same way in the same child.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/hostile-hooked-builtins.mjs', import.meta.url));

interface Report {
  mode: string;
  control: string[];
  seen: string[];
}

async function child(mode: string): Promise<Report> {
  const result = await run(process.execPath, [FIXTURE, mode]);
  expect(result.status, result.stderr).toBe(0);
  return lastJson<Report>(result);
}

describe('built-ins replaced after load', () => {
  it('Map.prototype.get/set/delete/has replaced: no view, mapping record ' +
    "or address reaches them (control: an ordinary Map's are seen)", async () => {
    const { control, seen } = await child('map');
    expect(control).toEqual(['a Uint8Array of 8 bytes', 'a Uint8Array of 8 bytes']);
    expect(seen).toEqual([]);
  }, 60_000);

  it('globalThis.Uint8Array and crypto.getRandomValues replaced: no view of secret pages, ' +
    'Wasm memory or staged bytes is made through them (control: an ordinary one is)', async () => {
    const { control, seen } = await child('uint8array');
    expect(control).toEqual(['a Uint8Array over an ArrayBuffer of 16 bytes', 'getRandomValues of 4 bytes']);
    expect(seen).toEqual([]);
  }, 60_000);

  it('koffi.view replaced after the host loaded koffi, before any view was lent: no view of ' +
    'secret pages is made through it (control: an ordinary koffi.view call is seen)', async () => {
    const { control, seen } = await child('koffi-view');
    expect(control).toEqual(['koffi.view of 16 bytes']);
    expect(seen).toEqual([]);
  }, 60_000);

  it('Set and WeakSet methods replaced to keep and list nothing before the first secret: purge() ' +
    'still wipes and unmaps every secret (control: a plain Set keeps nothing; /proc/self/maps had them)', async () => {
    const result = await run(process.execPath, [FIXTURE, 'sets-purge']);
    expect(result.status, result.stderr).toBe(0);
    const report = lastJson<{ control: object; purged: object; mappedBefore: boolean[]; mappedAfter: boolean[] }>(
      result,
    );
    expect(report.control).toEqual({ has: false, size: 0, listed: 0, weakHas: false });
    expect(report.mappedBefore).toEqual([true, true]);
    expect(report.purged).toEqual({ secureBuffers: 1, heaps: 1, heapSecrets: 1 });
    expect(report.mappedAfter).toEqual([false, false]);
  }, 60_000);
});
