// Reading the kernel's entries for a range the way the doctor shows them: `rw-p lo dd dc`.
import type { KernelRange } from '../../host/types.js';

/**
 * The VmFlags that matter for secrets, in the order shown: locked, not dumped, not forked, wiped on
 * fork, huge pages asked for or refused.
 */
export const SHOWN_FLAGS = ['lo', 'dd', 'dc', 'wf', 'hg', 'nh'] as const;

export { SMAPS_PERMISSIONS } from '../../host/smaps.js';

/** The shown flags one entry carries. */
export function shownFlags(entry: KernelRange): string[] {
  return SHOWN_FLAGS.filter((flag) => entry.flags.includes(flag));
}

/** `rw-p lo dd dc`; several different entries are joined with ` + `. */
export function describeEntries(entries: readonly KernelRange[]): string {
  if (entries.length === 0) return 'no entry';
  const texts = entries.map((entry) => [entry.permissions, ...shownFlags(entry)].join(' '));
  return [...new Set(texts)].join(' + ');
}

/** The distinct permissions of the entries, e.g. [`r--p`]. */
export function permissionsOf(entries: readonly KernelRange[]): string[] {
  return [...new Set(entries.map((entry) => entry.permissions))];
}

/** True when there are entries and every one carries `flag`. */
export function everyHasFlag(entries: readonly KernelRange[], flag: string): boolean {
  return entries.length > 0 && entries.every((entry) => entry.flags.includes(flag));
}

/** True when no entry carries `flag`. */
export function noneHasFlag(entries: readonly KernelRange[], flag: string): boolean {
  return entries.every((entry) => !entry.flags.includes(flag));
}

/** Sum of smaps `Locked` over the entries. */
export function lockedBytesOf(entries: readonly KernelRange[]): number {
  return entries.reduce((sum, entry) => sum + entry.lockedBytes, 0);
}
