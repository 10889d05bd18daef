// Compares what memshield says about a region (inspect) with what the kernel says about the same
// addresses (the host's kernel view: /proc/self/smaps on Linux, the page table when simulated).
// Framework-agnostic: returns the disagreements as sentences, empty when there are none.
import type { KernelRange, RegionInfo } from '../../src/index.js';
import type { PlatformDifferences } from './platform-differences.js';

/** The disagreements between `info` and the kernel entries it carries. */
export function kernelDisagreements(info: RegionInfo, differences: PlatformDifferences): string[] {
  const kernel = differences.kernel;
  if (!kernel) return [];
  const problems: string[] = [];
  const hex = (value: bigint) => `0x${value.toString(16)}`;
  const check = (
    what: string,
    entries: KernelRange[] | undefined,
    permissions: string,
    flags: Record<string, boolean>,
    locked?: boolean,
  ) => {
    if (!entries || entries.length === 0) {
      problems.push(`${what}: the kernel shows no mapping there`);
      return;
    }
    for (const entry of entries) {
      const at = `${what} (kernel entry ${hex(entry.start)}-${hex(entry.end)})`;
      if (entry.permissions !== permissions)
        problems.push(`${at}: permissions ${entry.permissions}, memshield says ${permissions}`);
      for (const [flag, expected] of Object.entries(flags)) {
        if (entry.flags.includes(flag) !== expected)
          problems.push(`${at}: flag ${flag} is ${expected ? 'missing' : 'present'} (flags: ${entry.flags.join(' ')})`);
      }
      // A locked entry's resident pages are all locked (never-written pages that map the zero page
      // are neither); an unlocked entry has none locked.
      const lockedExpected = locked ? entry.residentBytes : 0;
      if (locked !== undefined && entry.lockedBytes !== lockedExpected) {
        problems.push(
          `${at}: ${entry.lockedBytes} bytes locked of ${entry.residentBytes} ` +
            `resident, memshield says it is ${locked ? '' : 'not '}locked`,
        );
      }
    }
  };
  const { locked, dontDump, dontFork, hugePage } = kernel.flags;
  const advice = { [dontDump]: info.dumpExcluded, [dontFork]: info.forkExcluded };
  // Explicit huge pages are never marked locked by the kernel (they cannot be swapped anyway).
  const lockFlag = info.pageKind === 'explicit-huge' ? {} : { [locked]: info.locked };
  check(
    'data pages',
    info.dataPages.kernel,
    kernel.permissions[info.protection],
    { ...advice, ...lockFlag, [hugePage]: info.hugePagesAdvised },
    info.pageKind === 'explicit-huge' ? undefined : info.locked,
  );
  for (const guard of info.guards) {
    check(`guard ${guard.position}`, guard.kernel, kernel.permissions.NoAccess, { ...advice, [locked]: false }, false);
  }
  return problems;
}
