import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Off Linux (the Windows and macOS CI jobs) only the tests that need no Linux kernel run: the
// core, the simulated host, the contract suite, the examples and the platform's own host tests.
const PORTABLE_TESTS = [
  'test/core/**/*.test.ts',
  'test/contract/**/*.test.ts',
  'test/examples/**/*.test.ts',
  'test/simulated/**/*.test.ts',
  'test/windows/**/*.test.ts',
  'test/darwin/**/*.test.ts',
];
// Among those, the ones that compare with the Linux kernel or start Linux binaries.
const LINUX_ONLY = ['test/simulated/kernel-agreement.test.ts', 'test/simulated/cross-runtime.test.ts'];
const onLinux = process.platform === 'linux';

export default defineConfig({
  // Tests import src/ directly: its `#native-host` (package.json "imports") is the source too, not dist/.
  resolve: {
    alias: {
      '#native-host': fileURLToPath(new URL('host/native.ts', import.meta.url)),
      '#core-module': fileURLToPath(new URL('src/core-module.ts', import.meta.url)),
    },
  },
  test: {
    include: onLinux ? ['test/**/*.test.ts'] : PORTABLE_TESTS,
    exclude: ['**/node_modules/**', ...(onLinux ? [] : LINUX_ONLY)],
    // Separate processes: koffi and the kernel state (smaps, VmLck) are per process.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The default report, then the skipped tests by name (their names say why).
    reporters: ['default', './test/helpers/skipped-reporter.ts'],
  },
});
