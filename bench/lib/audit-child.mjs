// Runs under strace for the syscall audit (bench/lib/audit.mjs): for each case, N iterations of
// memshield and of sodium-native between two marker stat() calls (REPEATS times, see audit.mjs
// for why), then the same memshield
// iterations on a host that counts its calls (each one koffi call into libc). Prints the host
// call counts as JSON on stdout.
//
// Usage: node --expose-gc audit-child.mjs '{"ids": [...], "iterations": 200, "extraFiles": [...]}'
import { statSync } from 'node:fs';
import { createEnv, loadCaseGroups } from './cases.mjs';

export const MARK_ROOT = '/memshield-bench-mark';
/** Each side's section is traced this many times; the audit keeps the quietest (audit.mjs). */
export const REPEATS = 3;

const config = JSON.parse(process.argv[2] ?? '{}');
const env = await createEnv({ quick: true });
const cases = (await loadCaseGroups({ extraFiles: config.extraFiles })).filter((kase) => config.ids.includes(kase.id));
const iterations = config.iterations;

/** A stat() of a path that does not exist: strace shows it, nothing else happens. */
const mark = (what, id, side) => statSync(`${MARK_ROOT}/${what}/${id}/${side}`, { throwIfNoEntry: false });

/** A host that counts each operation before passing it on. */
function countingHost(host, counts) {
  const counting = Object.create(host);
  for (const operation of [
    'map',
    'unmap',
    'decommit',
    'protect',
    'lock',
    'unlock',
    'advise',
    'copyIn',
    'copyOut',
    'fill',
  ]) {
    counting[operation] = (...args) => {
      counts[operation] = (counts[operation] ?? 0) + 1;
      return host[operation](...args);
    };
  }
  return counting;
}

const hostCalls = {};
for (const kase of cases) {
  if (kase.kind === 'count' || kase.skip?.(env)) continue;
  const state = kase.setup ? kase.setup(env) : env;
  for (const side of ['memshield', 'sodium']) {
    const run = kase[side];
    if (!run || (side === 'sodium' && !env.sodium)) continue;
    await run(state, 2); // warm: first calls compile and may map
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      await env.collectGarbage(); // start the section with a clean young generation: no GC inside
      mark('begin', kase.id, `${side}#${repeat}`);
      await run(state, iterations);
      mark('end', kase.id, `${side}#${repeat}`);
    }
  }
  kase.teardown?.(state, env);

  // The same iterations through a counting host (a PlatformMemory of its own over the native one).
  const counts = {};
  const host = countingHost(env.host, counts);
  const memory = env.memshield.createPlatformMemory({ host });
  const countingEnv = { ...env, memory, host };
  const countingState = kase.setup ? kase.setup(countingEnv) : countingEnv;
  await kase.memshield(countingState, 2);
  for (const key of Object.keys(counts)) delete counts[key];
  await kase.memshield(countingState, iterations);
  const perOperation = Object.fromEntries(Object.entries(counts).map(([name, count]) => [name, count / iterations]));
  kase.teardown?.(countingState, countingEnv);
  hostCalls[kase.id] = perOperation;
}
process.stdout.write(JSON.stringify(hostCalls));
