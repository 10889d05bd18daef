// Timing: each side (memshield, the C floor, sodium-native) is calibrated to a batch length,
// then measured in interleaved rounds — every round runs one batch of each, in a rotating
// order — so that noise from a shared machine lands on all sides alike and cancels in the
// per-round ratios.
import { pairedRatios, summarize } from './stats.mjs';

/** Time-taking sides of a case, in the order of the first round. */
export const SIDES = ['memshield', 'floor', 'sodium'];

/**
 * @typedef {object} MeasureOptions
 * @property {number} rounds - measured rounds (each has one batch per side)
 * @property {number} batchMs - calibrate batches to about this long
 * @property {number | undefined} iterations - fixed iterations per batch (skips calibration; --quick)
 */

/** The nanoseconds one batch of `iterations` took, for each side the case has. */
function runners(kase, state, floor, env) {
  /** @type {Record<string, (iterations: number) => Promise<number>>} */
  const sides = {};
  const time = (fn) => async (iterations) => {
    const start = process.hrtime.bigint();
    const pending = fn(state, iterations);
    if (pending) await pending; // a side may need the event loop (sodium's deferred frees)
    return Number(process.hrtime.bigint() - start);
  };
  sides.memshield = time(kase.memshield);
  if (kase.floor?.js)
    sides.floor = time(kase.floor.js); // the same work without memshield, in this process
  else if (kase.floor) sides.floor = (iterations) => floor.run(kase.floor.name, kase.floor.bytes, iterations);
  if (kase.sodium && env.sodium) sides.sodium = time(kase.sodium);
  return sides;
}

/**
 * Finds the iterations that make a batch last about `batchMs` (capped). The first calls carry
 * one-off costs (compilation, lazy set-up), so it grows the batch until it is long enough to
 * measure, then measures that size again and scales from the second, warmer figure.
 */
async function calibrate(run, batchMs, cap) {
  const goal = batchMs * 1e6;
  await run(1);
  let iterations = 1;
  for (;;) {
    const ns = await run(iterations);
    if (iterations >= cap) return cap;
    if (ns >= goal / 4) break;
    iterations = Math.min(cap, iterations * (ns < goal / 100 ? 10 : 2));
  }
  const ns = await run(iterations);
  return Math.max(1, Math.min(cap, Math.round((iterations * goal) / Math.max(ns, 1))));
}

/**
 * Measures one timed case. Returns ns/op samples per side, their summaries and the paired
 * ratios of memshield against each other side.
 * @param {import('./cases.mjs').TimedCase} kase
 * @param {any} state - what kase.setup returned
 * @param {import('./floor.mjs').FloorProcess} floor
 * @param {import('./cases.mjs').BenchEnv} env
 * @param {MeasureOptions} options
 * @param {(done: number, total: number) => void} progress
 */
export async function measureTimed(kase, state, floor, env, options, progress) {
  const sides = runners(kase, state, floor, env);
  const names = SIDES.filter((name) => sides[name]);
  const iterations = {};
  for (const name of names) {
    const cap = kase.maxBatch?.[name] ?? Number.MAX_SAFE_INTEGER;
    const fixed = kase.batch?.[name];
    if (options.iterations !== undefined) iterations[name] = Math.min(options.iterations, cap);
    else if (fixed !== undefined) iterations[name] = fixed;
    else iterations[name] = await calibrate(sides[name], options.batchMs, cap);
  }
  // One unrecorded round at the final sizes: the optimising compiler has seen every path.
  for (const name of names) await sides[name](iterations[name]);
  /** @type {Record<string, number[]>} */
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < options.rounds; round++) {
    // Rotate who goes first, so no side always runs right after another's cache footprint.
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      samples[name].push((await sides[name](iterations[name])) / iterations[name]);
    }
    progress(round + 1, options.rounds);
  }
  const result = { iterations, samples: {}, ratio: {} };
  for (const name of names) result[name] = summarize(samples[name]);
  for (const name of names) result.samples[name] = samples[name];
  for (const name of names.filter((other) => other !== 'memshield')) {
    result.ratio[name] = summarize(pairedRatios(samples.memshield, samples[name]));
  }
  return result;
}
