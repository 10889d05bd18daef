// What SecureBuffer and SecureHeap really get on this machine now: the doctor makes one
// SecureBuffer with the default options (the MEMSHIELD_SECRET_MEMORY default included), reads its
// backing and disposes it. A probe of memfd_secret alone says nothing about RLIMIT_MEMLOCK: under
// `ulimit -l 0` the descriptor is made, but no secret page can be mapped, and nothing is locked.
import { MemoryProtectionError } from '../errors.js';
import type { SecretBackingFacts } from '../../host/facts.js';
import { SECRET_MEMORY_DEFAULT, SECRET_MEMORY_ENV } from '../secret-memory-default.js';
import { SecureBuffer } from '../secure-buffer.js';

export type { SecretBackingFacts };

const TRIAL_SIZE = 32;

/** Makes one SecureBuffer with the default options, reports what it got, and disposes it. */
export function trySecretBacking(): SecretBackingFacts {
  const facts: SecretBackingFacts = {
    policy: SECRET_MEMORY_DEFAULT.policy,
    source: SECRET_MEMORY_DEFAULT.source,
    variable: SECRET_MEMORY_ENV,
    size: TRIAL_SIZE,
  };
  if (SECRET_MEMORY_DEFAULT.invalidLength !== undefined) facts.invalid = true;
  if (SECRET_MEMORY_DEFAULT.unreadable !== undefined) facts.unreadable = SECRET_MEMORY_DEFAULT.unreadable;
  try {
    const buffer = SecureBuffer.alloc(TRIAL_SIZE);
    try {
      const info = buffer.inspect();
      facts.backing = info.backing;
      facts.locked = info.locked;
    } finally {
      buffer.dispose();
    }
  } catch (error) {
    facts.error =
      error instanceof MemoryProtectionError
        ? { code: error.code, message: error.message }
        : { code: 'UNEXPECTED', message: String(error) };
  }
  return facts;
}
