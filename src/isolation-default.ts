// The application-wide default of SecureHeap's isolation option: the environment variable
// MEMSHIELD_ISOLATION (on | off), read once at load (environment-setting.ts). Meant for test runs:
// with it on, every heap secret gets guarded pages of its own, so a view kept past use() faults
// however the heap would have packed it (docs/stale-views.md). An option passed in code wins.
import { invalidArgument } from './errors.js';
import { readEnvironmentSetting, type EnvironmentSetting } from './environment-setting.js';

/** The environment variable that sets the default. */
export const ISOLATION_ENV = 'MEMSHIELD_ISOLATION';

/** Read once, at load. */
export const ISOLATION_DEFAULT: EnvironmentSetting<'on' | 'off'> = readEnvironmentSetting(
  ISOLATION_ENV,
  ['on', 'off'] as const,
  'off',
);

/**
 * The isolation of a SecureHeap made without the option.
 * @throws {MemoryProtectionError} INVALID_ARGUMENT when MEMSHIELD_ISOLATION holds an unknown value
 */
export function defaultIsolation(): boolean {
  const { invalidLength, value } = ISOLATION_DEFAULT;
  if (invalidLength !== undefined) {
    throw invalidArgument(
      `the environment variable ${ISOLATION_ENV} must be on or off, got a string of ` +
        `${invalidLength} characters; fix or unset it, or pass { isolation } explicitly`,
    );
  }
  return value === 'on';
}
