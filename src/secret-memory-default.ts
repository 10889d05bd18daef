// The application-wide default of the secretMemory option of SecureBuffer and SecureHeap: the
// environment variable MEMSHIELD_SECRET_MEMORY (off | preferred | required), read once when
// memshield is loaded into a frozen record, so that later changes to process.env change nothing.
// An option passed in code wins over it. PlatformMemory keeps its own default ('off').
import { invalidArgument } from './errors.js';
import { SECRET_MEMORY_POLICIES, type SecretMemoryPolicy } from './levels.js';

/** The environment variable that sets the default. */
export const SECRET_MEMORY_ENV = 'MEMSHIELD_SECRET_MEMORY';
/** The default when the variable is unset. */
const BUILT_IN: SecretMemoryPolicy = 'preferred';

/** Where the default of SecureBuffer's and SecureHeap's secretMemory comes from. */
export interface SecretMemoryDefault {
  /** The policy an allocation without a secretMemory option gets. */
  readonly policy: SecretMemoryPolicy;
  /** `environment`: MEMSHIELD_SECRET_MEMORY set it; `built-in`: it is unset (or could not be read). */
  readonly source: 'environment' | 'built-in';
  /** Why the variable could not be read (Deno without --allow-env), when it could not. */
  readonly unreadable?: string;
  /** The variable holds something else than off, preferred or required: how long it is (never its content). */
  readonly invalidLength?: number;
}

/** Deno's permission query, where there is one: asking it never prompts, unlike reading. */
type DenoPermissions = { querySync?(descriptor: { name: 'env'; variable: string }): { state: string } };

function readDefault(): SecretMemoryDefault {
  const permissions = (globalThis as { Deno?: { permissions?: DenoPermissions } }).Deno?.permissions;
  if (permissions?.querySync && permissions.querySync({ name: 'env', variable: SECRET_MEMORY_ENV }).state !== 'granted') {
    return { policy: BUILT_IN, source: 'built-in', unreadable: `Deno reads it only with --allow-env=${SECRET_MEMORY_ENV}` };
  }
  let value: string | undefined;
  try {
    value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[SECRET_MEMORY_ENV];
  } catch (error) {
    // Deno refuses environment access without --allow-env: keep the built-in default and say why.
    return { policy: BUILT_IN, source: 'built-in', unreadable: `${(error as Error).name}: ${(error as Error).message}` };
  }
  if (value === undefined || value === '') return { policy: BUILT_IN, source: 'built-in' };
  if ((SECRET_MEMORY_POLICIES as readonly string[]).includes(value)) return { policy: value as SecretMemoryPolicy, source: 'environment' };
  return { policy: BUILT_IN, source: 'built-in', invalidLength: value.length };
}

/** Read once, at load. */
export const SECRET_MEMORY_DEFAULT: SecretMemoryDefault = Object.freeze(readDefault());

/**
 * The secretMemory policy of an allocation that passed none.
 * @throws {MemoryProtectionError} INVALID_ARGUMENT when MEMSHIELD_SECRET_MEMORY holds an unknown value
 */
export function defaultSecretMemoryPolicy(): SecretMemoryPolicy {
  const { invalidLength, policy } = SECRET_MEMORY_DEFAULT;
  if (invalidLength !== undefined) {
    throw invalidArgument(`the environment variable ${SECRET_MEMORY_ENV} must be off, preferred or required, got a ` + `string of ${invalidLength} characters; fix or unset it, or pass { secretMemory } explicitly`);
  }
  return policy;
}
