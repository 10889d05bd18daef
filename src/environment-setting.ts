// An application-wide default read from one environment variable, once, when memshield is loaded,
// into a frozen record: later changes to process.env change nothing. Used by
// MEMSHIELD_SECRET_MEMORY (secret-memory-default.ts) and MEMSHIELD_ISOLATION (isolation-default.ts).

/** What one variable gave. */
export interface EnvironmentSetting<Value extends string> {
  /** The value an option left out gets. */
  readonly value: Value;
  /** `environment`: the variable set it; `built-in`: it is unset (or could not be read). */
  readonly source: 'environment' | 'built-in';
  /** Why the variable could not be read (Deno without --allow-env), when it could not. */
  readonly unreadable?: string;
  /** The variable holds none of the allowed values: how long it is (never its content). */
  readonly invalidLength?: number;
}

/** Deno's permission query, where there is one: asking it never prompts, unlike reading. */
type DenoPermissions = { querySync?(descriptor: { name: 'env'; variable: string }): { state: string } };

/** Reads `name` now: one of `allowed`, else `builtIn` (and why). */
export function readEnvironmentSetting<Value extends string>(
  name: string,
  allowed: readonly Value[],
  builtIn: Value,
): EnvironmentSetting<Value> {
  const permissions = (globalThis as { Deno?: { permissions?: DenoPermissions } }).Deno?.permissions;
  if (permissions?.querySync && permissions.querySync({ name: 'env', variable: name }).state !== 'granted') {
    return Object.freeze({
      value: builtIn,
      source: 'built-in',
      unreadable: `Deno reads it only with --allow-env=${name}`,
    });
  }
  let value: string | undefined;
  try {
    value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  } catch (error) {
    // Deno refuses environment access without --allow-env: keep the built-in default and say why.
    return Object.freeze({
      value: builtIn,
      source: 'built-in',
      unreadable: `${(error as Error).name}: ${(error as Error).message}`,
    });
  }
  if (value === undefined || value === '') return Object.freeze({ value: builtIn, source: 'built-in' });
  if ((allowed as readonly string[]).includes(value))
    return Object.freeze({ value: value as Value, source: 'environment' });
  return Object.freeze({ value: builtIn, source: 'built-in', invalidLength: value.length });
}
