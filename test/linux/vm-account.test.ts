// What decides smaps' `ac` (VM_ACCOUNT) on a page split off by mlock and then made NoAccess:
// whether the page's VMA has an anon_vma, i.e. whether any of its pages was faulted in, either
// its own or those of a neighbour that mmap merged it into. Reproduced on purpose in a child
// (test/fixtures/linux-vm-account.mjs) that chooses the neighbours with MAP_FIXED_NOREPLACE.
// Where mmap puts a mapping is machine state, so the kernel-agreement test does not compare
// `ac`; this test shows why, and holds the simulated host to the kernel where both are defined.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastJson, run } from '../helpers/kernel.js';
import { createSimulatedHost } from '../../src/testing.js';
import { Protection } from '../../host/types.js';

const fixture = fileURLToPath(new URL('../fixtures/linux-vm-account.mjs', import.meta.url));

interface Report {
  hadAccountWhenWritable: boolean;
  /** The running kernel's own answer: does it drop VM_ACCOUNT from a never-faulted VMA made read-only? */
  dropsUnfaulted: boolean;
  mergedAtMap: boolean;
  isolated: string;
  touched: string;
  merged: string;
}

/** The same steps on the simulated host (which never merges mappings): page 1's perms and VmFlags. */
function simulated(touchPageOne: boolean): string {
  const host = createSimulatedHost();
  const page = host.pageSize();
  const b = host.map(2 * page, page, Protection.ReadWrite, 0);
  if (touchPageOne) host.copyIn(b, page, new Uint8Array([1]));
  host.lock(b, 0, page);
  host.protect(b, page, page, Protection.NoAccess);
  host.unlock(b, 0, 2 * page);
  const at = host.address(b) + BigInt(page);
  const entry = host.kernelView(at, page).find((range) => range.start <= at && at < range.end)!;
  return `${entry.permissions} ${entry.flags.join(' ')}`;
}

describe.runIf(process.platform === 'linux')('VM_ACCOUNT (smaps `ac`) after a split, on this kernel', async () => {
  const result = process.platform === 'linux' ? await run(process.execPath, [fixture]) : undefined;
  const report = result && lastJson<Report>(result);
  const flagsOf = (view: string) => view.split(' ').slice(1);

  it('a private writable mapping is accounted, and a neighbour placed right before it merges with it', () => {
    expect(report!.hadAccountWhenWritable).toBe(true);
    // The precondition of the merged case: without it, that case would prove nothing.
    expect(report!.mergedAtMap).toBe(true);
  });

  it('keeps `ac` where the VMA has an anon_vma: its own page written, or a written neighbour merged in', () => {
    expect(report!.touched.startsWith('---p ')).toBe(true);
    expect(flagsOf(report!.touched)).toContain('ac');
    expect(flagsOf(report!.merged)).toContain('ac');
  });

  it('on a never-faulted, isolated page, answers as the kernel answers for any never-faulted VMA', () => {
    // The control: the same kernel, the same steps, only the placement differs from the merged case.
    expect(flagsOf(report!.isolated).includes('ac')).toBe(!report!.dropsUnfaulted);
  });

  it.skipIf(report !== undefined && !report.dropsUnfaulted)(
    'the simulated host models Linux ≥ 6.7 (mprotect_fixup drops ' +
      '`ac` without an anon_vma): it matches the isolated cases ' +
      '(skipped where the kernel predates that rule and never drops it)',
    () => {
      expect(simulated(false)).toBe(report!.isolated);
      expect(simulated(true)).toBe(report!.touched);
    },
  );
});
