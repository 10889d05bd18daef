// Reads the numbers a compiled core exports (assembly/numbers.ts) and the arity of its
// functions. Used by embed-wasm.mjs to generate the tables, and by the test that holds the
// generated tables to the core.

/** An exported global `<Table>_<key>`: the table name is PascalCase, the key an identifier. */
const NUMBER_EXPORT = /^([A-Z][A-Za-z]*)_([A-Za-z][A-Za-z0-9_]*)$/;

/**
 * @param {Uint8Array} wasm - the compiled core
 * @returns {{ tables: Map<string, [string, number][]>, functions: Map<string, number> }}
 */
export function readCoreNumbers(wasm) {
  const module = new WebAssembly.Module(wasm);
  // Globals and function lengths need an instance, not a call: every import may be a no-op.
  const imports = {};
  for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
    if (kind !== 'function') throw new Error(`core import ${from}.${name} is a ${kind}; only functions are expected`);
    imports[from] ??= {};
    imports[from][name] = () => 0;
  }
  const instance = new WebAssembly.Instance(module, imports);
  return readInstance(instance.exports);
}

/**
 * The tables and function arities of a core instance's exports.
 * @param {WebAssembly.Exports} exports
 */
export function readInstance(exports) {
  const tables = new Map();
  const functions = new Map();
  for (const [name, value] of Object.entries(exports)) {
    if (typeof value === 'function') {
      functions.set(name, value.length);
    } else if (value instanceof WebAssembly.Global) {
      const match = NUMBER_EXPORT.exec(name);
      if (!match) throw new Error(`core global ${name} is not named <Table>_<key> (assembly/numbers.ts)`);
      const [, table, key] = match;
      const number = value.value;
      if (!Number.isSafeInteger(number) || number < 0) throw new Error(`core number ${name} is ${number}, not a count`);
      const entries = tables.get(table) ?? [];
      const twin = entries.find(([, other]) => other === number);
      if (twin) throw new Error(`core numbers ${table}_${twin[0]} and ${name} are both ${number}`);
      entries.push([key, number]);
      tables.set(table, entries);
    }
  }
  return { tables, functions };
}
