// The record of host calls: plain data in call order, with nothing that varies between runs or
// runtimes (addresses are deterministic and printed as hex strings; no times, no data bytes), so
// `JSON.stringify(host.trace())` is byte-identical for the same script and seed everywhere.
import {
  ADVICE_NAMES,
  PROTECTION_NAMES,
  type Advice,
  type AdviceName,
  type Protection,
  type ProtectionName,
} from '../types.js';

export { PROTECTION_NAMES, ADVICE_NAMES, type ProtectionName, type AdviceName } from '../types.js';

/**
 * How a call ended: `'ok'`; for `map`, the new mapping's id; an errno name (`'ENOMEM'`);
 * `'SIMULATED_FAULT'` for an access real memory would fault on.
 */
export type TraceResult = 'ok' | 'SIMULATED_FAULT' | (string & {}) | number;

interface Entry<Op extends string> {
  op: Op;
  result: TraceResult;
  /** Present (true) when a `faults` rule made the call fail. */
  injected?: true;
}

/** One host call. Fields appear in this order in JSON. */
export type TraceEntry =
  | (Entry<'map'> & { length: number; alignment: number; protection: ProtectionName; flags: number; address?: string })
  | (Entry<'unmap' | 'decommit'> & { id: number })
  | (Entry<'protect' | 'mapSecret'> & { id: number; offset: number; length: number; protection: ProtectionName })
  | (Entry<'lock' | 'unlock'> & { id: number; offset: number; length: number })
  | (Entry<'advise'> & { id: number; offset: number; length: number; advice: AdviceName })
  | (Entry<'fill'> & { id: number; offset: number; length: number; byte: number })
  | (Entry<'copyIn' | 'copyOut' | 'view'> & { id: number; offset: number; length: number })
  | (Entry<'randomBytes'> & { length: number })
  | Entry<'memoryRoom'>; // result: '<n> bytes' that can still be committed, or 'unlimited'

/** The operation names a trace can hold. */
export type TracedOperation = TraceEntry['op'];

/** Names for codes that may be out of range (a bad code from a caller is traced, not hidden). */
export const protectionName = (code: Protection | number): ProtectionName =>
  PROTECTION_NAMES[code] ?? (`protection ${code}` as ProtectionName);
export const adviceName = (code: Advice | number): AdviceName =>
  ((code >= 1 ? ADVICE_NAMES[code] : undefined) ?? `advice ${code}`) as AdviceName;

/** An append-only list of entries, handed out as copies. */
export class TraceRecorder {
  private entries: TraceEntry[] = [];

  record<E extends TraceEntry>(entry: E): E {
    this.entries.push(entry);
    return entry;
  }

  /** A copy of every entry so far. */
  list(): TraceEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.entries = [];
  }
}
