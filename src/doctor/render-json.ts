// The doctor's report as one JSON document. Addresses are bigints: they print as hex strings.
import type { DoctorReport } from './report.js';

/** JSON.stringify replacer: bigint → `0x…`. */
export function bigintAsHex(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `0x${value.toString(16)}` : value;
}

/** The report as indented JSON, ending with a newline. */
export function renderJson(report: DoctorReport): string {
  return `${JSON.stringify(report, bigintAsHex, 2)}\n`;
}
