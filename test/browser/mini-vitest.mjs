// The few vitest calls the README's example uses, for running it in a browser page: `it` runs the
// test at once and records the outcome in globalThis.results; `expect` knows toThrow and toBe.
globalThis.results = [];

export function it(name, body) {
  try {
    body();
    globalThis.results.push({ name, ok: true });
  } catch (error) {
    globalThis.results.push({ name, ok: false, error: String(error?.message ?? error) });
  }
}

export function expect(actual) {
  return {
    toBe(expected) {
      if (!Object.is(actual, expected)) throw new Error(`expected ${String(actual)} to be ${String(expected)}`);
    },
    toThrow(type) {
      try {
        actual();
      } catch (error) {
        if (type && !(error instanceof type)) throw new Error(`threw ${error?.name}, not ${type.name}`);
        return;
      }
      throw new Error('did not throw');
    },
  };
}
