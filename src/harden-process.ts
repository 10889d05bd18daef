// hardenProcess: opt-in, process-wide measures against the two ways a whole process's memory is
// read from outside — a core dump and a debugger. memshield never takes them on its own: they
// change the whole process (a crash leaves no core to debug), so only the program may decide.
import { platformEntry, runningPlatform } from '#native-host';
import {
  unavailable,
  type HardeningGoal,
  type HardeningStep,
  type HardenProcessReport,
  type LiveMapping,
} from '../host/harden/report.js';
import { invalidArgument } from './errors.js';
import { readOptions } from '../shared/options.js';
import { describeValue } from './validate.js';
import { Field, Status } from './generated/core-numbers.js';
import { forEachSecureCore } from './secure-core.js';

export type { HardeningGoal, HardeningStep, HardenProcessReport } from '../host/harden/report.js';

/** What to harden. `false` asks for the measure; `true` or absent leaves the process as it is. */
export interface HardenProcessOptions {
  /**
   * `false`: this process writes no core dump. Linux: prctl(PR_SET_DUMPABLE, 0) and RLIMIT_CORE
   * soft 0 (the hard limit is kept, so children may raise it again); macOS: RLIMIT_CORE soft 0;
   * Windows: WerSetFlags(NOHEAP) and WerRegisterExcludedMemoryBlock for the live secrets.
   */
  coreDumps?: boolean;
  /**
   * `false`: debuggers of the same user cannot attach. Linux: prctl(PR_SET_DUMPABLE, 0) (also stops
   * /proc/PID/mem reads by others; root keeps access); macOS: ptrace(PT_DENY_ATTACH); Windows: none.
   */
  debuggers?: boolean;
}

const KNOWN = ['coreDumps', 'debuggers'] as const;

/**
 * Hardens this whole process against having its memory read from outside: no core dumps, no
 * debugger attach (opt-in, one option each). Each OS call is made once, its effect read back
 * from the OS, and reported; nothing is undone later (a hardened process stays hardened).
 * Secure memory is already left out of core dumps page by page (MADV_DONTDUMP, memfd_secret);
 * this also covers everything else the process holds (strings, buffers, the V8 heap).
 *
 * @param options - `{ coreDumps: false }`, `{ debuggers: false }`, or both
 * @returns one step per OS call: what was called, `applied`/`failed`/`unavailable`, what the OS
 * says now; `ok` when all applied
 * @throws {MemoryProtectionError} INVALID_ARGUMENT for an unknown option or a value that is not a boolean
 * @example
 * const report = hardenProcess({ coreDumps: false });
 * if (!report.ok) console.warn(report.steps.filter((step) => step.outcome !== 'applied'));
 */
export function hardenProcess(options: HardenProcessOptions): HardenProcessReport {
  if (options === undefined)
    throw invalidArgument('hardenProcess needs an object such as { coreDumps: false }, got undefined');
  const opts = readOptions<HardenProcessOptions>(options, 'hardenProcess options', KNOWN);
  const goals: HardeningGoal[] = [];
  for (const goal of KNOWN) {
    const value = opts[goal];
    if (value !== undefined && typeof value !== 'boolean')
      throw invalidArgument(`hardenProcess: ${goal} must be true or false, got ${describeValue(value)}`);
    if (value === false) goals[goals.length] = goal;
  }
  const platform = runningPlatform() ?? 'unknown';
  const entry = platformEntry();
  let steps: HardeningStep[];
  if (goals.length === 0) steps = [];
  else if (entry) steps = entry.harden(goals, liveSecretMappings);
  else steps = goals.map((goal) => unavailable([goal], 'none', `memshield knows no way to do this on ${platform}`));
  return { platform, ok: steps.every((step) => step.outcome === 'applied'), steps };
}

/** The base address and length of every live Secure mapping of SecureBuffer and SecureHeap. */
function liveSecretMappings(): LiveMapping[] {
  const mappings: LiveMapping[] = [];
  forEachSecureCore((core) => {
    const exports = core.exports;
    const live = exports.statLiveRegions();
    for (let slot = 0, found = 0; found < live; slot++) {
      if (exports.check(slot, exports.slotGeneration(slot)) !== Status.OK) continue;
      found++;
      mappings.push({
        address: core.host.address(exports.regionHostId(slot)),
        length: exports.regionField(slot, Field.mappingLength),
      });
    }
  });
  return mappings;
}
