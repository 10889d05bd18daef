// Tests that run the built dist/ in a child process (strace, unprivileged children, other
// runtimes) must not test stale code: `npm test` builds first; a lone `npx vitest run` may not.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The newest modification time of the .ts files under `directory`. */
export function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Throws, saying what to run, if dist/ is missing or older than a source file. */
export function expectFreshBuild(): void {
  let built: number;
  try {
    built = statSync(join(root, 'dist/src/index.js')).mtimeMs;
  } catch {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  }
  const newest = Math.max(
    newestSource(join(root, 'src')),
    newestSource(join(root, 'host')),
    newestSource(join(root, 'assembly')),
  );
  if (newest > built) throw new Error('dist/ is older than the sources: run `npm run build` (npm test does it first)');
}
