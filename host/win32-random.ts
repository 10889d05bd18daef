// Random bytes on Windows: BCryptGenRandom(NULL, buffer, length, BCRYPT_USE_SYSTEM_PREFERRED_RNG)
// from bcrypt.dll (Vista+; Wine has it), through koffi. koffi hands the call the array's memory
// natively: no JS getter of the array is called, and the bytes never pass through a function a
// caller could have replaced. A failure's NTSTATUS is turned into the Win32 error it stands for
// (RtlNtStatusToDosError), so the error names the host reports stay one table.
import type { loadKoffi } from './node-builtins.js';
import { fillInParts } from './random-parts.js';

const BCRYPT_USE_SYSTEM_PREFERRED_RNG = 0x00000002;
const ERROR_GEN_FAILURE = 31; // what a failure without a better translation reports
const ERROR_OPERATION_ABORTED = 995; // never met: BCryptGenRandom fills all or fails
/** One call fills at most a ULONG's worth; a power of two below 2^31 keeps the arithmetic exact. */
const BCRYPT_MAX = 0x4000_0000;

/** Fills a Uint8Array with BCryptGenRandom: 0, or the Win32 error of the failed call. */
export function bindBcryptRandom(koffi: ReturnType<typeof loadKoffi>): (target: Uint8Array) => number {
  const bcrypt = koffi.load('bcrypt.dll');
  const ntdll = koffi.load('ntdll.dll');
  const generate = bcrypt.func(
    'int32_t __stdcall BCryptGenRandom(void *algorithm, void *buffer, uint32_t length, uint32_t flags)',
  );
  const toWin32Error = ntdll.func('uint32_t __stdcall RtlNtStatusToDosError(int32_t status)');
  const draw = (part: Uint8Array, length: number): number => {
    const status = generate(null, part, length, BCRYPT_USE_SYSTEM_PREFERRED_RNG) as number;
    if (status >= 0) return length; // NT_SUCCESS: the whole buffer is filled
    return -((toWin32Error(status) as number) || ERROR_GEN_FAILURE);
  };
  return (target) => fillInParts(target, BCRYPT_MAX, draw, ERROR_OPERATION_ABORTED);
}
