// Options as memshield reads them: own data properties only, each read once into a record with
// no prototype. A polluted Object.prototype (`{"__proto__": {"lock": "bestEffort"}}` through a
// deep merge) cannot bend a default, a getter is refused without being called, and a Proxy's
// traps run once, here, never between a check and the use of what it checked.
import { invalidArgument } from './errors.js';
import {
  create,
  freeze,
  getOwnPropertyDescriptor,
  hasOwn,
  indexIn,
  joined,
  ownKeys,
  tryIsArray,
} from './intrinsics.js';
import { describeValue } from './describe-value.js';

/** What an omitted options object reads as: nothing set, nothing inherited. */
export const NO_OPTIONS: Readonly<Record<string, never>> = freeze(create(null) as Record<string, never>);

/** Edit distance of two short strings, ignoring case (at most 64 characters are compared). */
function distance(a: string, b: string): number {
  a = a.slice(0, 64).toLowerCase();
  b = b.slice(0, 64).toLowerCase();
  let row: number[] = [];
  for (let j = 0; j <= b.length; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/**
 * The known option an unknown key is a typo of (two edits or fewer, case ignored), if any: it is
 * named, the key is not.
 */
function nearest(known: readonly string[], key: string): string | undefined {
  for (let i = 0; i < known.length; i++) {
    const name = known[i];
    if (distance(name, key) <= 2) return name;
  }
  return undefined;
}

/**
 * Reads `value` (an options object, or undefined) into a frozen null-prototype record holding the
 * own data properties named in `known`. An unknown key, a symbol key, a getter or setter, an
 * array, and an object whose Proxy traps throw (or a revoked Proxy) are INVALID_ARGUMENT.
 * A key set to `undefined` reads as absent. Messages never quote a value or an unknown key (a
 * caller may have put a secret there); they name the known options.
 * @param value - what the caller passed
 * @param what - how messages name it: `'options'`, `'hardenProcess options'`, …
 * @param known - the option names this entry point takes
 */
export function readOptions<T extends object>(
  value: unknown,
  what: string,
  known: readonly (keyof T & string)[],
): Readonly<Partial<T>> {
  if (value === undefined) return NO_OPTIONS as Partial<T>;
  const expected = `an object such as { ${known[0]}: … } (known options: ${joined(known)})`;
  if (typeof value !== 'object' || value === null)
    throw invalidArgument(`${what} must be ${expected} or undefined, got ${describeValue(value)}`);
  const array = tryIsArray(value);
  if (array === undefined) throw invalidArgument(`${what} is a revoked Proxy: pass ${expected}`);
  if (array) throw invalidArgument(`${what} must be ${expected}, got an array`);
  let keys: (string | symbol)[];
  try {
    keys = ownKeys(value);
  } catch {
    throw invalidArgument(
      `${what} could not be read: listing its keys threw (a Proxy's ownKeys trap); pass ${expected}`,
    );
  }
  const record = create(null) as Record<string, unknown>;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (typeof key !== 'string') throw invalidArgument(`${what} has a symbol key; known options: ${joined(known)}`);
    if (indexIn(known, key) < 0) {
      const near = nearest(known, key);
      throw invalidArgument(
        `${what} has an unknown key ` +
          `(${describeValue(key)}${near ? `, close to '${near}'` : ''}); known options: ${joined(known)}`,
      );
    }
    let descriptor: PropertyDescriptor | undefined;
    try {
      descriptor = getOwnPropertyDescriptor(value, key);
    } catch {
      throw invalidArgument(
        `${what}.${key} could not be read (a Proxy's getOwnPropertyDescriptor trap threw); pass a plain object`,
      );
    }
    if (descriptor === undefined) continue; // a Proxy listed a key it does not have
    if (!hasOwn(descriptor, 'value')) {
      throw invalidArgument(
        `${what}.${key} is a getter or setter: memshield reads options ` +
          `without running code, so pass a plain value ({ ${key}: … })`,
      );
    }
    if (descriptor.value !== undefined) record[key] = descriptor.value;
  }
  return freeze(record) as Partial<T>;
}
