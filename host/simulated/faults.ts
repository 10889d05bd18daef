// Scripted failures: rules that make a chosen host call fail with a chosen errno, by count
// ("the 3rd lock") or by predicate ("any protect to ReadWrite"), before the call has any effect.
import { invalidArgument } from '../../shared/errors.js';
import { describeValue } from '../../shared/describe-value.js';
import { readOptions } from '../../shared/options.js';
import { errnoNumber, knownErrnoNames } from './errno.js';
import type { AdviceName, ProtectionName } from './trace.js';

/** The host calls a fault can fail: the ones an OS can refuse. */
export const FAULTABLE_OPERATIONS = [
  'map',
  'unmap',
  'protect',
  'lock',
  'unlock',
  'advise',
  'mapSecret',
  'decommit',
] as const;
export type FaultableOperation = (typeof FAULTABLE_OPERATIONS)[number];

/** A host call as a fault's `when` sees it: plain data. */
export interface SimulatedCall {
  op: FaultableOperation;
  /** 1 for the first call of this operation on this host, 2 for the second, … */
  count: number;
  /** The mapping (all but `map`). */
  id?: number;
  offset?: number;
  length?: number;
  /** `map`, `protect` and `mapSecret`. */
  protection?: ProtectionName;
  /** `map`. */
  alignment?: number;
  /** `map`: 1 for explicit huge pages. */
  flags?: number;
  /** `advise`. */
  advice?: AdviceName;
}

/**
 * A scripted failure. With `nth`, the nth matching call fails (counted from when the rule was
 * added, 1-based); without it, every matching call fails. `when` narrows which calls match.
 *
 * @example
 * { op: 'lock', nth: 3, errno: 'EPERM' }                       // the 3rd mlock fails
 * { op: 'protect', when: (call) => call.protection === 'ReadWrite', errno: 'ENOMEM' }
 */
export interface SimulatedFault {
  op: FaultableOperation;
  nth?: number;
  when?: (call: SimulatedCall) => boolean;
  /** An errno name (`'EPERM'`) or a number (Linux numbering: 1 is EPERM, 12 ENOMEM). */
  errno: string | number;
}

interface Rule {
  op: FaultableOperation;
  nth?: number;
  when?: (call: SimulatedCall) => boolean;
  errno: number;
  matched: number; // matching calls seen since the rule was added
}

/** Checks a fault description and turns it into a rule. */
function ruleOf(given: SimulatedFault, name: string): Rule {
  if (typeof given !== 'object' || given === null)
    throw invalidArgument(`${name} must be an object like { op: 'lock', nth: 3, errno: 'EPERM' }`);
  const fault = readOptions<SimulatedFault>(given, name, ['op', 'nth', 'when', 'errno']) as SimulatedFault;
  if (!FAULTABLE_OPERATIONS.includes(fault.op as FaultableOperation)) {
    throw invalidArgument(
      `${name}.op must be one of ${FAULTABLE_OPERATIONS.join(', ')}, got ${describeValue(fault.op)}`,
    );
  }
  if (fault.nth !== undefined && (!Number.isSafeInteger(fault.nth) || fault.nth < 1)) {
    throw invalidArgument(
      `${name}.nth must be a positive integer (1 for the first call), got ${describeValue(fault.nth)}`,
    );
  }
  if (fault.when !== undefined && typeof fault.when !== 'function')
    throw invalidArgument(`${name}.when must be a function (call) => boolean`);
  let errno: number | undefined;
  if (typeof fault.errno === 'number')
    errno = Number.isSafeInteger(fault.errno) && fault.errno >= 1 && fault.errno <= 4095 ? fault.errno : undefined;
  else if (typeof fault.errno === 'string') errno = errnoNumber(fault.errno);
  if (errno === undefined) {
    throw invalidArgument(
      `${name}.errno must be an errno name (${knownErrnoNames().slice(0, 12).join(', ')}, ` +
        `…) or a number from 1 to 4095, got ${describeValue(fault.errno)}`,
    );
  }
  return { op: fault.op, nth: fault.nth, when: fault.when, errno, matched: 0 };
}

/** The active rules of one host. */
export class FaultPlan {
  private readonly rules: Rule[] = [];
  private readonly calls = new Map<FaultableOperation, number>();

  constructor(faults: readonly SimulatedFault[] = [], name = 'faults') {
    if (!Array.isArray(faults)) throw invalidArgument(`${name} must be an array of { op, nth?, when?, errno }`);
    faults.forEach((fault, index) => {
      this.rules.push(ruleOf(fault, `${name}[${index}]`));
    });
  }

  /** Adds a rule; its `nth` counts from now. */
  add(fault: SimulatedFault): void {
    this.rules.push(ruleOf(fault, 'fault'));
  }

  /**
   * Counts a call and returns the errno of the first rule that fires for it, or 0. Every rule for
   * the operation sees the call, so counts do not depend on which rule fired.
   */
  check(call: Omit<SimulatedCall, 'count'>): number {
    const count = (this.calls.get(call.op) ?? 0) + 1;
    this.calls.set(call.op, count);
    let errno = 0;
    for (const rule of this.rules) {
      if (rule.op !== call.op) continue;
      if (rule.when && !rule.when({ ...call, count })) continue;
      rule.matched++;
      if (errno === 0 && (rule.nth === undefined || rule.matched === rule.nth)) errno = rule.errno;
    }
    return errno;
  }
}
