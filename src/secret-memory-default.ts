// The application-wide default of the secretMemory option of SecureBuffer and SecureHeap: the
// environment variable MEMSHIELD_SECRET_MEMORY (off | preferred | required), read once when
// memshield is loaded into a frozen record, so that later changes to process.env change nothing.
// An option passed in code wins over it. PlatformMemory keeps its own default ('off').
import { invalidArgument } from './errors.js';
import { SECRET_MEMORY_POLICIES, type SecretMemoryPolicy } from './levels.js';
import { readEnvironmentSetting } from './environment-setting.js';

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

/** Read once, at load. */
export const SECRET_MEMORY_DEFAULT: SecretMemoryDefault = (() => {
  const { value, ...rest } = readEnvironmentSetting(SECRET_MEMORY_ENV, SECRET_MEMORY_POLICIES, BUILT_IN);
  return Object.freeze({ policy: value, ...rest });
})();

/**
 * The secretMemory policy of an allocation that passed none.
 * @throws {MemoryProtectionError} INVALID_ARGUMENT when MEMSHIELD_SECRET_MEMORY holds an unknown value
 */
export function defaultSecretMemoryPolicy(): SecretMemoryPolicy {
  const { invalidLength, policy } = SECRET_MEMORY_DEFAULT;
  if (invalidLength !== undefined) {
    throw invalidArgument(
      `the environment variable ${SECRET_MEMORY_ENV} must be off, preferred or required, got a ` +
        `string of ${invalidLength} characters; fix or unset it, or pass { secretMemory } explicitly`,
    );
  }
  return policy;
}
