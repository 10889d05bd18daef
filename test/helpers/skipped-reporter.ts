// A vitest reporter that ends the run with every skipped test by name: the names carry the
// reason (a missing kernel feature, a privilege this user lacks), so the summary says what did
// not run here and why, instead of a bare "N skipped".
import type { Reporter, TestModule } from 'vitest/node';

export default class SkippedReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped: string[] = [];
    for (const module of modules) {
      const file = module.moduleId.replace(`${process.cwd()}/`, '');
      const tests = [...module.children.allTests('skipped')];
      // A test skipped from inside (context.skip(note)) carries its reason as the note.
      for (const test of tests) {
        const { note } = test.result() as { note?: string };
        skipped.push(`  ↓ ${file} › ${test.fullName}${note ? ` (${note})` : ''}`);
      }
      // A suite skipped as a whole (describe.skipIf on another platform) collects no tests.
      for (const suite of module.children.allSuites()) {
        if (suite.state() === 'skipped' && [...suite.children.allTests()].length === 0)
          skipped.push(`  ↓ ${file} › ${suite.fullName}`);
      }
    }
    if (skipped.length === 0) return;
    console.log(`\nSkipped here (${skipped.length}):\n${skipped.join('\n')}`);
  }
}
