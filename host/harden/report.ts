// The report hardenProcess returns: one step per OS call it made (or could not make), each with
// what the OS says afterwards, read back rather than assumed.

/** What a step protects against (the hardenProcess option it serves). */
export type HardeningGoal = 'coreDumps' | 'debuggers';

/** One OS call of hardenProcess and what came of it. */
export interface HardeningStep {
  /** The options this step serves (one call may serve both, e.g. Linux PR_SET_DUMPABLE). */
  goals: HardeningGoal[];
  /** The OS call, as one would write it in C: `prctl(PR_SET_DUMPABLE, 0)`. */
  call: string;
  /**
   * `applied`: the call succeeded and the state read back is the one asked for; `failed`: the OS
   * refused (see errno); `unavailable`: this OS (or version) has no such call.
   */
  outcome: 'applied' | 'failed' | 'unavailable';
  /** What changed, read back from the OS, and what it means: `PR_GET_DUMPABLE 1 → 0 (…)`. */
  detail: string;
  /** The OS error (errno, or the Windows HRESULT) when the call failed. */
  errno?: number;
  /** Its name, e.g. `EPERM`, `E_ACCESSDENIED`. */
  errnoName?: string;
}

/** What hardenProcess did. */
export interface HardenProcessReport {
  /** process.platform. */
  platform: string;
  /** Every step applied: none failed, none was unavailable. */
  ok: boolean;
  steps: HardeningStep[];
}

/** A live Secure mapping of SecureBuffer or SecureHeap (for Windows, which excludes them from reports). */
export interface LiveMapping {
  address: bigint;
  length: number;
}

/** A step that could not be taken because the OS has no such call. */
export function unavailable(goals: HardeningGoal[], call: string, why: string): HardeningStep {
  return { goals, call, outcome: 'unavailable', detail: why };
}
