// Benchmark cases: what a case file looks like, where the files are, and the environment a
// case's setup receives. Every `bench/*.bench.mjs` is one case group; adding a group is adding
// a file (see bench/README.md, "Adding a case").
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR } from './floor.mjs';

/** @typedef {(state: any, iterations: number) => void | Promise<void>} JsFloor the same work without memshield */

/**
 * A case timed side by side with the floor and sodium-native.
 * @typedef {object} TimedCase
 * @property {string} id - stable, kebab-case; the JSON key and `--only` filter
 * @property {string} title - the table's first column
 * @property {{ name: string, bytes: number } | { js: JsFloor } | null} floor -
 *   the floor.c case it compares with; or `{ js }`, the same work in this process without memshield (the
 *   node:crypto rows: the key in a plain Buffer); or null ("nothing")
 * @property {(env: BenchEnv) => string | undefined} [skip] - why this machine cannot run the case, if it cannot
 * @property {(env: BenchEnv) => any} [setup] - makes the state (regions, buffers); untimed
 * @property {(state: any, iterations: number) => void | Promise<void>} memshield - does the
 * operation `iterations` times
 * @property {((state: any, iterations: number) => void | Promise<void>) | null} [sodium] - the same
 * with sodium-native, or null
 * @property {(state: any, env: BenchEnv) => void} [teardown] - frees the state; untimed
 * @property {number} [bytes] - bytes moved per operation, for a throughput figure
 * @property {{ memshield?: number, floor?: number, sodium?: number }} [maxBatch] - most iterations per timed batch
 * @property {{ memshield?: number, floor?: number, sodium?: number }} [batch] - exactly this many (no calibration),
 *   for a side whose batch has a fixed cost to spread (sodium's garbage collection)
 * @property {CaseTargets} [targets]
 * @property {string} [note] - one line for the README's notes under the table
 */

/**
 * A case that counts something once (e.g. live secrets until failure) instead of timing.
 * @typedef {object} CountCase
 * @property {'count'} kind
 * @property {string} id
 * @property {string} title
 * @property {string} unit - e.g. `secrets`
 * @property {(env: BenchEnv) => string | undefined} [skip]
 * @property {(env: BenchEnv) => Promise<CountResult>} measure
 * @property {CaseTargets} [targets]
 * @property {string} [note]
 */

/**
 * What a count case measured: a number per side, and optionally a few words per side for the
 * table (`details`) and anything else for the JSON (`facts`).
 * @typedef {object} CountResult
 * @property {number} memshield
 * @property {number} [floor]
 * @property {number} [sodium]
 * @property {{ memshield?: string, floor?: string, sodium?: string }} [details] - e.g. `all locked,
 * stopped by LOCK_FAILED`
 * @property {object} [facts] - the JSON's `facts`
 */

/**
 * What "good enough" means for a case. Ratios are memshield time / other time, so lower is better.
 * @typedef {object} CaseTargets
 * @property {number} [floor] - the most memshield may take, as a multiple of the floor
 * @property {number} [sodium] - the most memshield may take, as a multiple of sodium-native
 * @property {number} [syscalls] - exactly this many memory syscalls per operation (strace audit)
 * @property {number} [ns] - the most nanoseconds memshield may take per operation (its median)
 * @property {number} [atLeast] - count cases: memshield's count must reach this
 */

/**
 * What a case's setup gets.
 * @typedef {object} BenchEnv
 * @property {import('../../dist/src/index.js').PlatformMemory} memory - the memory to benchmark
 * @property {import('../../dist/src/index.js').Host} host - the host it runs on (pass it to SecureBuffer/SecureHeap)
 * @property {typeof import('../../dist/src/index.js')} memshield - the whole public API
 * @property {any} sodium - sodium-native, or undefined if it cannot be loaded
 * @property {() => Promise<void>} collectGarbage - a full garbage collection, resolved once the
 *   finalizers it queued have run (node --expose-gc; they run from the event loop)
 * @property {boolean} quick - smoke run: keep counts and sizes small
 */

/** The cases of every bench/*.bench.mjs, plus those of `extraFiles`, in their groups' `order`. */
export async function loadCaseGroups({ extraFiles = [] } = {}) {
  const found = readdirSync(BENCH_DIR)
    .filter((name) => name.endsWith('.bench.mjs'))
    .map((name) => `${BENCH_DIR}${name}`);
  const paths = [...found, ...extraFiles];
  const groups = [];
  for (const path of paths) {
    const module = await import(pathToFileURL(path).href);
    const group = module.default;
    if (!group || !Array.isArray(group.cases)) throw new Error(`${path}: export default { order, cases: [...] }`);
    for (const kase of group.cases) checkCase(kase, path);
    groups.push({ path, order: group.order ?? 1000, cases: group.cases });
  }
  groups.sort((a, b) => a.order - b.order || a.path.localeCompare(b.path));
  const cases = groups.flatMap((group) => group.cases);
  const seen = new Set();
  for (const kase of cases) {
    if (seen.has(kase.id)) throw new Error(`two cases are called ${kase.id}`);
    seen.add(kase.id);
  }
  return cases;
}

function checkCase(kase, path) {
  const where = `${path}: case ${kase?.id ?? '?'}`;
  if (typeof kase?.id !== 'string' || !/^[a-z0-9-]+$/.test(kase.id)) throw new Error(`${where}: id must be kebab-case`);
  if (typeof kase.title !== 'string') throw new Error(`${where}: needs a title`);
  if (kase.kind === 'count') {
    if (typeof kase.measure !== 'function' || typeof kase.unit !== 'string')
      throw new Error(`${where}: a count case needs measure() and unit`);
    return;
  }
  if (typeof kase.memshield !== 'function') throw new Error(`${where}: needs memshield(state, iterations)`);
  const cFloor = typeof kase.floor?.name === 'string' && kase.floor.bytes > 0;
  const jsFloor = typeof kase.floor?.js === 'function';
  if (kase.floor !== null && !cFloor && !jsFloor)
    throw new Error(`${where}: floor must be { name, bytes }, { js } or null`);
}

/** Keeps the cases whose id contains one of `patterns` (all of them if there are none). */
export function selectCases(cases, patterns) {
  if (!patterns.length) return cases;
  return cases.filter((kase) => patterns.some((pattern) => kase.id.includes(pattern)));
}

/** Loads memshield (from dist/) and sodium-native, and builds the environment for setups. */
export async function createEnv({ quick = false, memory, host } = {}) {
  let memshield;
  try {
    memshield = await import(pathToFileURL(`${BENCH_DIR}../dist/src/index.js`).href);
  } catch (error) {
    throw new Error(`cannot load memshield from dist/ (run npm run build first): ${error.message}`);
  }
  let sodium;
  try {
    sodium = createRequire(import.meta.url)('sodium-native');
  } catch {
    sodium = undefined; // its columns stay empty
  }
  const gc = globalThis.gc;
  if (typeof gc !== 'function') throw new Error('the benchmark needs node --expose-gc (npm run bench passes it)');
  const collectGarbage = async () => {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  };
  // The host is internal (the package hands it out nowhere): the benchmark takes it from dist/.
  const { nativeHost } = await import(pathToFileURL(`${BENCH_DIR}../dist/src/default-memory.js`).href);
  return {
    memory: memory ?? memshield.PlatformMemory,
    host: host ?? nativeHost(),
    memshield,
    sodium,
    collectGarbage,
    quick,
  };
}
