// A pool of worker threads that sign jobs with one key. Each thread has its own memshield (its
// own core and locked pages): every worker reads the key file into its own SecureBuffer, and
// only messages and signatures cross threads, never the key.
//   node examples/worker-pool.mjs KEY_FILE  → one JSON line
import { createHmac, createSecretKey } from 'node:crypto';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { secretFromFile } from 'memshield';

if (isMainThread) {
  const keyFile = process.argv[2];
  const jobs = Array.from({ length: 40 }, (_, i) => `job ${i}`);
  const workers = Array.from({ length: 4 }, () => new Worker(new URL(import.meta.url), { workerData: { keyFile } }));
  const results = await Promise.all(
    jobs.map(
      (job, i) =>
        new Promise((resolve) => {
          const worker = workers[i % workers.length];
          const onMessage = (reply) => {
            if (reply.job !== job) return;
            worker.off('message', onMessage);
            resolve(reply);
          };
          worker.on('message', onMessage);
          worker.postMessage(job);
        }),
    ),
  );
  await Promise.all(workers.map((worker) => worker.terminate()));
  console.log(
    JSON.stringify({
      jobs: results.length,
      threads: new Set(results.map((reply) => reply.thread)).size,
      signatures: Object.fromEntries(results.map((reply) => [reply.job, reply.tag])),
    }),
  );
} else {
  const { threadId } = await import('node:worker_threads');
  const key = secretFromFile(workerData.keyFile, { trimNewline: true });
  const keyObject = key.use((view) => createSecretKey(view));
  parentPort.on('message', (job) => {
    parentPort.postMessage({ job, thread: threadId, tag: createHmac('sha256', keyObject).update(job).digest('hex') });
  });
}
