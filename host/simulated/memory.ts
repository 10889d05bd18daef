// Byte access to simulated mappings, checked page by page against the protections the way the
// MMU checks them: bytes before the first forbidden page are copied (as memcpy would have copied
// them before the signal), then a SimulatedFaultError is thrown instead of SIGSEGV.
import { PROTECTION_NAMES } from '../types.js';
import { Protection } from '../types.js';
import { SimulatedFaultError } from './fault-error.js';
import { byteLengthOf, byteSpanOf, fillBytes, setBytes } from '../../shared/intrinsics.js';
import type { Mapping, PageTable } from './page-table.js';

/** Captured at load: a Uint8Array replaced later is never handed simulated memory or a caller's buffer. */
const NativeUint8Array = Uint8Array;

/** A copy of `bytes` made through the built-ins (never a `slice` a caller could have replaced). */
function copyOf(bytes: Uint8Array): Uint8Array {
  const copy = new NativeUint8Array(byteLengthOf(bytes));
  setBytes(copy, bytes);
  return copy;
}

type Access = 'read' | 'write';

const READABLE = new Set<number>([
  Protection.ReadOnly,
  Protection.ReadWrite,
  Protection.ReadExecute,
  Protection.ReadWriteExecute,
]);
const WRITABLE = new Set<number>([Protection.ReadWrite, Protection.ReadWriteExecute]);
const allows = (protection: number, access: Access) => (access === 'read' ? READABLE : WRITABLE).has(protection);

/** A checked span of one mapping: how many bytes may be touched before the first fault, and that fault. */
interface Span {
  allowed: number;
  fault?: SimulatedFaultError;
}

/** Byte access over a page table. */
export class SimulatedMemory {
  constructor(private readonly table: PageTable) {}

  /** Checks [offset, offset + length) of a mapping for `access`. */
  check(mapping: Mapping, offset: number, length: number, access: Access, what: string): Span {
    const { pageSize } = this.table.settings;
    if (!Number.isSafeInteger(offset) || offset < 0) {
      return {
        allowed: 0,
        fault: new SimulatedFaultError(mapping.address + BigInt(Math.trunc(offset) || 0), 'Unmapped', access, what),
      };
    }
    const end = offset + length;
    for (let at = offset; at < end; at = (Math.floor(at / pageSize) + 1) * pageSize) {
      if (at >= mapping.length) {
        return {
          allowed: at - offset,
          fault: new SimulatedFaultError(mapping.address + BigInt(at), 'Unmapped', access, what),
        };
      }
      const protection = mapping.protection[Math.floor(at / pageSize)];
      if (!allows(protection, access)) {
        return {
          allowed: at - offset,
          fault: new SimulatedFaultError(mapping.address + BigInt(at), PROTECTION_NAMES[protection], access, what),
        };
      }
    }
    return { allowed: length };
  }

  /** Copies `source` into the mapping at `offset`. */
  // `source` and `target` may be a caller's own Uint8Array or Buffer (src/validate.ts): read only
  // through the built-ins captured at load, never through its properties.
  copyIn(mapping: Mapping, offset: number, source: Uint8Array, what?: string): void {
    const from = byteSpanOf(source);
    const length = from.byteLength;
    const span = this.check(mapping, offset, length, 'write', what ?? `a write of ${length} bytes`);
    if (span.allowed > 0) {
      this.touch(mapping, offset, span.allowed);
      setBytes(
        new NativeUint8Array(mapping.storage, offset, span.allowed),
        new NativeUint8Array(from.buffer, from.byteOffset, span.allowed),
      );
    }
    if (span.fault) throw span.fault;
  }

  /** Copies mapping bytes at `offset` into `target`. */
  copyOut(mapping: Mapping, offset: number, target: Uint8Array, what?: string): void {
    const length = byteLengthOf(target);
    const span = this.check(mapping, offset, length, 'read', what ?? `a read of ${length} bytes`);
    if (span.allowed > 0) setBytes(target, new NativeUint8Array(mapping.storage, offset, span.allowed));
    if (span.fault) throw span.fault;
  }

  /** Sets `length` bytes at `offset` to `byte`; zeroing a page never touched is skipped (it is zero). */
  fill(mapping: Mapping, offset: number, length: number, byte: number): void {
    const span = this.check(mapping, offset, length, 'write', `a fill of ${length} bytes`);
    const { pageSize } = this.table.settings;
    const end = offset + span.allowed;
    for (let at = offset; at < end; ) {
      const page = Math.floor(at / pageSize);
      const stop = Math.min(end, (page + 1) * pageSize);
      if (byte !== 0 || mapping.resident[page]) fillBytes(new NativeUint8Array(mapping.storage, at, stop - at), byte);
      mapping.resident[page] = 1;
      at = stop;
    }
    if (span.fault) throw span.fault;
  }

  /**
   * A zero-copy view for scoped access; the pages must be readable. It stops working (length 0)
   * when the mapping's protection changes or it is unmapped, as a view kept past its scope would
   * fault on real memory. A write through it to a read-only page cannot be stopped as it happens:
   * it is found when the view is revoked, undone, and reported as an uncaught SimulatedFaultError.
   */
  view(mapping: Mapping, offset: number, length: number): Uint8Array {
    const readable = this.check(mapping, offset, length, 'read', `a view of ${length} bytes`);
    if (readable.fault) throw readable.fault;
    const writable = !this.check(mapping, offset, length, 'write', '').fault;
    const view = new NativeUint8Array(mapping.storage, offset, length);
    mapping.lentViews.push({ offset, snapshot: writable ? undefined : copyOf(view) });
    if (writable) this.touch(mapping, offset, length);
    return view;
  }

  /** Ends the views lent over a mapping: its bytes move to a new buffer and the old one is detached. */
  revokeViews(mapping: Mapping): void {
    if (mapping.lentViews.length === 0) return;
    for (const { offset, snapshot } of mapping.lentViews) if (snapshot) this.undoWrites(mapping, offset, snapshot);
    mapping.storage = detach(mapping.storage);
    mapping.lentViews = [];
  }

  /** Restores read-only bytes written through a view, and reports the first such write. */
  private undoWrites(mapping: Mapping, offset: number, snapshot: Uint8Array): void {
    const { pageSize } = this.table.settings;
    const bytes = new NativeUint8Array(mapping.storage, offset, snapshot.length);
    let first = -1;
    for (let i = 0; i < snapshot.length; i++) {
      const page = Math.floor((offset + i) / pageSize);
      if (bytes[i] === snapshot[i] || WRITABLE.has(mapping.protection[page])) continue;
      if (first < 0) first = i;
      bytes[i] = snapshot[i];
    }
    if (first < 0) return;
    const protection = PROTECTION_NAMES[mapping.protection[Math.floor((offset + first) / pageSize)]];
    const fault = new SimulatedFaultError(
      mapping.address + BigInt(offset + first),
      protection,
      'write',
      'a write through a lent view',
    );
    // Thrown now it would surface inside the host call that revoked the view, half way through a core operation.
    queueMicrotask(() => {
      throw fault;
    });
  }

  /** Reads by address, as native code would (raw access for tests). */
  readAt(address: bigint, length: number): Uint8Array {
    const target = new NativeUint8Array(length);
    this.walk(address, length, 'read', `a raw read of ${length} bytes`, (mapping, offset, start, count) => {
      this.copyOut(mapping, offset, target.subarray(start, start + count), `a raw read of ${length} bytes`);
    });
    return target;
  }

  /** Writes by address, as native code would; bytes before a faulting page are written. */
  writeAt(address: bigint, bytes: Uint8Array): void {
    this.walk(
      address,
      bytes.length,
      'write',
      `a raw write of ${bytes.length} bytes`,
      (mapping, offset, start, count) => {
        this.copyIn(mapping, offset, bytes.subarray(start, start + count), `a raw write of ${bytes.length} bytes`);
      },
    );
  }

  /** Splits an address range by mapping; an address no mapping holds faults as 'Unmapped'. */
  private walk(
    address: bigint,
    length: number,
    access: Access,
    what: string,
    step: (mapping: Mapping, offset: number, start: number, count: number) => void,
  ): void {
    let done = 0;
    while (done < length) {
      const at = address + BigInt(done);
      const mapping = this.table.mappingAt(at);
      if (!mapping) throw new SimulatedFaultError(at, 'Unmapped', access, what);
      const offset = Number(at - mapping.address);
      const count = Math.min(length - done, mapping.length - offset);
      step(mapping, offset, done, count);
      done += count;
    }
  }

  /** Marks the pages of [offset, offset + length) resident. */
  private touch(mapping: Mapping, offset: number, length: number): void {
    const { pageSize } = this.table.settings;
    if (length <= 0) return;
    for (let page = Math.floor(offset / pageSize); page * pageSize < offset + length; page++)
      mapping.resident[page] = 1;
  }
}

/** Moves a buffer's bytes to a new ArrayBuffer and detaches the old one (and every view of it). */
function detach(buffer: ArrayBuffer): ArrayBuffer {
  const transfer = (buffer as ArrayBuffer & { transfer?: () => ArrayBuffer }).transfer;
  if (typeof transfer === 'function') return transfer.call(buffer);
  return structuredClone(buffer, { transfer: [buffer] }); // Node 20 has no ArrayBuffer.prototype.transfer
}
