// Golden trace lines: one host call per line, short enough to read in a diff.
//   map(12288, align 4096, NoAccess) → #0        protect(#0, +4096, 4096, ReadWrite) → ok
import type { TraceEntry } from '../../src/testing.js';

/** One trace entry as a line. Data bytes never appear (traces hold none). */
export function traceLine(entry: TraceEntry): string {
  const result = typeof entry.result === 'number' ? `#${entry.result}` : entry.result;
  const tail = ` → ${result}${entry.injected ? ' (injected)' : ''}`;
  switch (entry.op) {
    case 'map':
      return `map(${entry.length}, align ${entry.alignment}, ${entry.protection}${entry.flags ? ', huge' : ''})${tail}`;
    case 'unmap':
    case 'decommit':
      return `${entry.op}(#${entry.id})${tail}`;
    case 'protect':
    case 'mapSecret':
      return `${entry.op}(#${entry.id}, +${entry.offset}, ${entry.length}, ${entry.protection})${tail}`;
    case 'advise':
      return `advise(#${entry.id}, +${entry.offset}, ${entry.length}, ${entry.advice})${tail}`;
    case 'fill':
      return (
        `fill(#${entry.id}, +${entry.offset}, ${entry.length}, ` +
        `0x${entry.byte.toString(16).padStart(2, '0')})${tail}`
      );
    case 'randomBytes':
      return `randomBytes(${entry.length})`;
    case 'memoryRoom':
      return `memoryRoom()${tail}`;
    default:
      return `${entry.op}(#${entry.id}, +${entry.offset}, ${entry.length})${tail}`;
  }
}
