// One seeded soak run: the operations in random order against the model, a full check of the
// model against inspect/stats and /proc/self/smaps every `checkEvery` operations and at the end,
// then everything freed. Errors other than the ones an operation predicts are collected, not
// thrown: the report lists each with its seed and operation number.
import { OPERATIONS } from './operations.mjs';
import { checkModel, createModel } from './model.mjs';
import { seededRandom } from './random.mjs';

const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

/**
 * @param setup - { api, mem, host, foreignRegion, page, secretMemory, secretPolicies, privileged, kernel }
 * @param options - { seed, operations, checkEvery, control }
 */
export async function soakRun(setup, { seed, operations, checkEvery, control }) {
  const rng = seededRandom(seed);
  const model = createModel();
  const ctx = { ...setup, rng, model, control, controlFired: false, expectedErrors: {}, mismatches: [], counts: {} };
  const unexpected = [];
  const weights = OPERATIONS.map(([, weight]) => weight);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let checkpoints = 0;
  const check = () => {
    checkpoints++;
    ctx.mismatches.push(...checkModel(model, setup.mem, { kernel: setup.kernel }));
  };

  for (let i = 0; i < operations; i++) {
    const [name, , run] = OPERATIONS[rng.weighted(weights, total)];
    ctx.counts[name] = (ctx.counts[name] ?? 0) + 1;
    try {
      run(ctx);
    } catch (error) {
      unexpected.push({
        seed,
        operation: i,
        name,
        code: error?.code,
        message: String(error?.message ?? error).slice(0, 300),
      });
      if (unexpected.length > 50) break; // enough to see what is wrong
    }
    if ((i + 1) % 1000 === 0) await yieldToEventLoop(); // end-of-tick heap wipes happen as in a real program
    if ((i + 1) % checkEvery === 0) {
      if (control === 'drift' && checkpoints === 0 && model.regions.length > 0) {
        const entry = model.regions[0];
        entry.protection = entry.protection === 'NoAccess' ? 'ReadOnly' : 'NoAccess'; // the model is now wrong
      }
      check();
    }
  }
  check();

  // Teardown: everything the run made goes back (the 'leak' control keeps one Secure region).
  const kept = control === 'leak' ? model.regions.find((entry) => entry.type === 'Secure') : undefined;
  try {
    for (const entry of model.regions) if (entry !== kept) setup.mem.free(entry.region);
    for (const entry of model.buffers) entry.buffer.dispose();
    for (const entry of model.heaps) entry.heap.destroy();
  } catch (error) {
    unexpected.push({
      seed,
      operation: operations,
      name: 'teardown',
      code: error?.code,
      message: String(error?.message ?? error),
    });
  }
  await yieldToEventLoop();
  return {
    seed,
    operations,
    counts: ctx.counts,
    expectedErrors: ctx.expectedErrors,
    unexpected,
    mismatches: ctx.mismatches,
    checkpoints,
    leaked: kept ? kept.region : undefined,
  };
}
