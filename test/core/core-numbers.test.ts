// The numbers the TypeScript layers share with the core are written once, in assembly/, and
// generated (scripts/embed-wasm.mjs) into src/generated/core-numbers.ts and
// host/generated/host-numbers.ts. These tests hold the generated tables and the declared
// CoreExports to a live core instance, and show with mutated copies that a drift on either side
// alone is caught.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readInstance } from '../../scripts/core-numbers.mjs';
import * as hostNumbers from '../../host/generated/host-numbers.js';
import { HOST_OPERATIONS } from '../../host/types.js';
import * as coreNumbers from '../../src/generated/core-numbers.js';
import { secureCoreFor } from '../../src/secure-core.js';
import { createSimulatedHost } from '../../src/testing.js';

const { CORE_FUNCTIONS, ...srcTables } = coreNumbers;
type Tables = Record<string, Record<string, number>>;
const generated: Tables = { ...srcTables, ...hostNumbers };

/** What differs between generated tables and functions and those a core instance exports. */
function differences(tables: Tables, functions: Record<string, number>, exports: WebAssembly.Exports): string[] {
  const core = readInstance(exports);
  const found: string[] = [];
  const compare = (what: string, expected: Record<string, number>, actual: Map<string, number>) => {
    for (const [key, value] of Object.entries(expected)) {
      if (actual.get(key) !== value) found.push(`${what}.${key}: generated ${value}, core ${actual.get(key)}`);
    }
    for (const [key, value] of actual)
      if (!(key in expected)) found.push(`${what}.${key}: core ${value}, not generated`);
  };
  const coreTables = new Map([...core.tables].map(([name, entries]) => [name, new Map(entries)] as const));
  for (const name of new Set([...Object.keys(tables), ...coreTables.keys()])) {
    compare(name, tables[name] ?? {}, coreTables.get(name) ?? new Map());
  }
  compare('function', functions, core.functions);
  return found;
}

function liveCore() {
  return secureCoreFor(createSimulatedHost({ pageSize: 4096 }));
}

describe('the numbers shared with the core', () => {
  it('every generated table and the function list equal what a live core instance exports', () => {
    const { exports } = liveCore();
    expect(differences(generated, CORE_FUNCTIONS, exports as unknown as WebAssembly.Exports)).toEqual([]);
    // The tables are not empty shells: the families the layers rely on are all there.
    expect(Object.keys(generated).sort()).toEqual([
      'Advice',
      'AllocationType',
      'Capability',
      'Field',
      'HeapStat',
      'HostOperation',
      'MapFlag',
      'Option',
      'PageKind',
      'Protection',
      'PurgeStat',
      'QuarantineStat',
      'Reason',
      'RegionFlag',
      'SecretField',
      'Status',
    ]);
  });

  it('control: a table or a function list changed on one side alone is reported', () => {
    const { exports } = liveCore();
    const coreExports = exports as unknown as WebAssembly.Exports;
    const tables = structuredClone(generated);
    tables.Option.SECRET_PREFERRED = 1 << 1; // the layout src/secure-core.ts once had
    delete tables.Status.FREE_FAILED;
    expect(differences(tables, CORE_FUNCTIONS, coreExports).sort()).toEqual([
      'Option.SECRET_PREFERRED: generated 2, core 4',
      'Status.FREE_FAILED: core 12, not generated',
    ]);
    const functions: Record<string, number> = { ...CORE_FUNCTIONS, heapStat: 1 };
    delete functions.check;
    expect(differences(generated, functions, coreExports).sort()).toEqual([
      'function.check: core 2, not generated',
      'function.heapStat: generated 1, core 2',
    ]);
  });

  it('the core answers with the generated numbers: statuses, reasons, fields, flags and option bits', () => {
    const { Status, Reason, Field, RegionFlag, SecretField, HeapStat, Option, AllocationType } = coreNumbers;
    const { exports: core } = liveCore();
    expect(core.allocate(0, 8, hostNumbers.Protection.ReadWrite, AllocationType.Secure, 0, 0, 0)).toBe(
      -Status.INVALID_ARGUMENT,
    );
    expect(core.failureReason()).toBe(Reason.SIZE_NOT_POSITIVE_INTEGER);
    const slot = core.allocate(100, 8, hostNumbers.Protection.ReadWrite, AllocationType.Secure, 0, 0, 0);
    const generation = core.allocatedGeneration();
    expect(core.regionField(slot, Field.size)).toBe(100);
    expect(core.regionField(slot, Field.type)).toBe(AllocationType.Secure);
    expect(core.regionField(slot, Field.flags) & (RegionFlag.GUARDED | RegionFlag.LOCKED)).toBe(
      RegionFlag.GUARDED | RegionFlag.LOCKED,
    );
    expect(core.free(slot, generation)).toBe(Status.OK);
    expect(core.free(slot, generation)).toBe(Status.DOUBLE_FREE);
    // One option layout for allocate, secretCreate and heapCreate: SECRET_PREFERRED means the same.
    const heap = core.heapCreate(4096, 0, Option.SECRET_PREFERRED | Option.LOCK_BEST_EFFORT);
    expect(core.heapStat(heap, HeapStat.secretPolicy)).toBe(Option.SECRET_PREFERRED);
    expect(core.heapStat(heap, HeapStat.lockBestEffort)).toBe(1);
    const secret = core.heapAlloc(heap, core.heapCreatedGeneration(), 32);
    expect(core.secretField(secret, SecretField.size)).toBe(32);
    expect(core.secretField(secret, SecretField.heap)).toBe(heap);
    expect(core.heapCreate(0, 0, 0)).toBe(-Status.INVALID_ARGUMENT);
    expect(core.failureReason()).toBe(Reason.ARENA_SIZE);
    // The host's operation names line up with the core's numbers.
    expect(HOST_OPERATIONS[hostNumbers.HostOperation.mapSecret]).toBe('mapSecret');
    expect(HOST_OPERATIONS[hostNumbers.HostOperation.decommit]).toBe('decommit');
    expect(HOST_OPERATIONS[0]).toBe('none');
  });
});

describe('the declared CoreExports', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));

  it('compiles against the generated function list, and a declaration changed on either side alone does not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memshield-exports-'));
    try {
      // Line numbers matter: the compiler must report errors on lines 4, 5 and 6, not on line 3.
      const file = join(dir, 'check.ts');
      writeFileSync(
        file,
        [
          `import type { ExportsMatch, MustBeTrue, SecureCoreExports } from '${root}src/core-exports.js';`,
          `import type { CORE_FUNCTIONS } from '${root}src/generated/core-numbers.js';`,
          `export type AsDeclared = MustBeTrue<ExportsMatch<SecureCoreExports, typeof CORE_FUNCTIONS>>;`,
          `export type DeclaredLacksOne = MustBeTrue<ExportsMatch<Omit<SecureCoreExports, ` +
            `'heapStat'>, typeof CORE_FUNCTIONS>>;`,
          `export type DeclaredArityDiffers = MustBeTrue<ExportsMatch<Omit<SecureCoreExports, ` +
            `'check'> & { check(slot: number): number }, typeof CORE_FUNCTIONS>>;`,
          `export type CoreHasAnother = MustBeTrue<ExportsMatch<SecureCoreExports, ` +
            `typeof CORE_FUNCTIONS & { extra: 0 }>>;`,
          '',
        ].join('\n'),
      );
      let output = '';
      try {
        execFileSync(
          join(root, 'node_modules/.bin/tsc'),
          [
            '--noEmit',
            '--strict',
            '--skipLibCheck',
            '--target',
            'ES2022',
            '--module',
            'NodeNext',
            '--moduleResolution',
            'NodeNext',
            '--lib',
            'ES2022,DOM',
            '--types',
            '',
            file,
          ],
          { cwd: dir, encoding: 'utf8', stdio: 'pipe' },
        ); // no tsconfig.json in dir: the flags are the config
      } catch (error) {
        const { stdout, stderr } = error as { stdout?: string; stderr?: string };
        output = `${stdout}${stderr}`;
      }
      const errorLines = [...output.matchAll(/check\.ts\((\d+),\d+\): error (TS\d+)/g)].map((m) => `${m[1]} ${m[2]}`);
      expect(errorLines, output).toEqual(['4 TS2344', '5 TS2344', '6 TS2344']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
