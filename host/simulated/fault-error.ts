// The error a simulated access throws where real memory would raise SIGSEGV.
import { MemoryProtectionError } from '../../shared/errors.js';
import type { ProtectionName } from '../types.js';

/**
 * Thrown by the simulated host for an access that would fault on real memory: a read or write of
 * a page whose protection forbids it, or of an address no mapping covers. On a real host the
 * process would die with SIGSEGV (Windows: 0xC0000005).
 *
 * @example
 * try { host.raw.write(guardAddress, new Uint8Array([1])); }
 * catch (error) {
 *   if (error instanceof SimulatedFaultError) console.log(error.address, error.protection); // 0x…n 'NoAccess'
 * }
 */
export class SimulatedFaultError extends MemoryProtectionError {
  /** The first address that faulted. */
  readonly address: bigint;
  /** The protection of the page holding it, or `'Unmapped'` where no mapping is. */
  readonly protection: ProtectionName | 'Unmapped';
  /** What was attempted. */
  readonly access: 'read' | 'write';

  /**
   * @param address - the first address that faulted
   * @param protection - that page's protection, or 'Unmapped'
   * @param access - 'read' or 'write'
   * @param what - the operation, for the message (e.g. `copyIn of 32 bytes`)
   */
  constructor(address: bigint, protection: ProtectionName | 'Unmapped', access: 'read' | 'write', what: string) {
    const where = protection === 'Unmapped' ? 'an unmapped address' : `a ${protection} page`;
    super(
      'SIMULATED_FAULT',
      `simulated fault: ${what} would ${access} ${where} at ` +
        `0x${address.toString(16)}; on real memory the process would die with SIGSEGV. ` +
        `Open the pages first (protect) or keep the access inside the region.`,
    );
    this.name = 'SimulatedFaultError';
    this.address = address;
    this.protection = protection;
    this.access = access;
  }
}
