// The memory map the README shows (docs/memory-map.svg): a simulated host, a Secure region with a
// 32-byte key open for reading and writing, and a 6000-byte one closed (NoAccess) at rest.
// `node scripts/memory-map-example.mjs` rewrites the file; test/memory-map/example.test.ts checks
// that the committed picture is what the renderer draws now.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The example's SVG, drawn with the given build of memshield (its main entry's exports). */
export function exampleSvg({
  createPlatformMemory,
  createSimulatedHost,
  memoryMapSvg,
  MemoryProtectionLevel,
  AllocationType,
}) {
  const memory = createPlatformMemory({ host: createSimulatedHost({ seed: 1n }) });
  const key = memory.allocate(32, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
  const record = memory.allocate(6000, 16, MemoryProtectionLevel.NoAccess, AllocationType.Secure);
  const svg = memoryMapSvg(
    [memory.inspect(key), memory.inspect(record)],
    'memshield memory map: two Secure regions on the simulated host',
  );
  memory.free(key);
  memory.free(record);
  return svg;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const memshield = { ...(await import('../dist/src/index.js')), ...(await import('../dist/src/testing.js')) };
  writeFileSync(new URL('../docs/memory-map.svg', import.meta.url), exampleSvg(memshield));
}
