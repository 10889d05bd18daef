// The simulated host: the Host interface over a software page table instead of an OS. It keeps
// no policy (the core decides); it answers each call as Linux would, records it in the trace,
// and lets scripted faults fail it. See docs/simulated-host.md.
import { POSIX_SYSCALLS } from '../posix.js';
import { Advice, type Host, type HostCapabilities, type MemlockStatus } from '../types.js';
import { byteLengthOf } from '../../shared/intrinsics.js';
import { errnoName } from './errno.js';
import { SimulatedFaultError } from './fault-error.js';
import type { FaultableOperation, SimulatedCall, SimulatedFault } from './faults.js';
import { kernelViewOf } from './kernel-view.js';
import { SimulatedMemory } from './memory.js';
import { settingsOf, type SimulatedHostOptions, type UnmapRecord } from './options.js';
import { PageTable, type Mapping } from './page-table.js';
import { splitMix64 } from './prng.js';

/** Captured at load: a Uint8Array replaced later is never handed simulated memory. */
const NativeUint8Array = Uint8Array;
import { TraceRecorder, adviceName, protectionName, type TraceEntry } from './trace.js';

/** Totals of a simulated host now. */
export interface SimulatedUsage {
  /** Live mappings. */
  mappings: number;
  /** VMAs they form (runs of pages with equal protection and flags): what maxMappings limits. */
  vmas: number;
  /** Bytes mapped, guard pages included. */
  mappedBytes: number;
  /** Bytes locked (what RLIMIT_MEMLOCK limits). */
  lockedBytes: number;
}

/** Raw access by address, for tests that play native code (an overflow into a guard page). */
export interface SimulatedRawAccess {
  /** Reads `length` bytes at `address`; throws SimulatedFaultError where real memory would fault. */
  read(address: bigint, length: number): Uint8Array;
  /** Writes `bytes` at `address`; bytes before a faulting page are written, then SimulatedFaultError is thrown. */
  write(address: bigint, bytes: Uint8Array): void;
}

/** The simulated host: a Host, plus what tests need to see inside it. */
export interface SimulatedHost extends Host {
  readonly platform: 'simulated';
  /** Every host call so far, as plain data (JSON-identical for the same script and seed). */
  trace(): TraceEntry[];
  /** Forgets the calls recorded so far (to trace one operation). */
  clearTrace(): void;
  /** Adds a scripted failure; its `nth` counts calls from now. */
  injectFault(fault: SimulatedFault): void;
  /** Raw access by address, obeying the pages' protections. */
  readonly raw: SimulatedRawAccess;
  /** Every unmap so far: where, how long, and whether every byte was zero. */
  unmapped(): UnmapRecord[];
  /** Mappings, VMAs, mapped and locked bytes now. */
  usage(): SimulatedUsage;
}

/**
 * Creates a simulated host: deterministic memory protection for unit tests, on any runtime.
 * Pass it to `createPlatformMemory({ host })` to get the whole PlatformMemory API over it.
 *
 * @param options - page size, memlock and mapping limits, seed, scripted faults, capabilities
 * @returns the host; `trace()`, `raw`, `unmapped()` and `usage()` let a test look inside
 * @throws {MemoryProtectionError} INVALID_ARGUMENT for an unknown or out-of-range option
 * @example
 * const host = createSimulatedHost({ pageSize: 16384, memlockLimit: 65536, seed: 42,
 *                                    faults: [{ op: 'lock', nth: 3, errno: 'EPERM' }] });
 * const mem = createPlatformMemory({ host });
 */
export function createSimulatedHost(options?: SimulatedHostOptions): SimulatedHost {
  const settings = settingsOf(options);
  const { pageSize, capabilities, faults } = settings;
  const table = new PageTable({
    pageSize,
    hugePageSize: capabilities.hugePageSize,
    memlockLimit: settings.memlockLimit,
    maxMappings: settings.maxMappings,
    explicitHugePages: capabilities.explicitHugePages,
    secretMemory: capabilities.secretMemory === true,
    advice: {
      [Advice.DontDump]: capabilities.dontDump,
      [Advice.DontFork]: capabilities.dontFork,
      [Advice.HugePage]: capabilities.transparentHugePages,
    },
  });
  const memory = new SimulatedMemory(table);
  table.onRevoke = (mapping) => memory.revokeViews(mapping);
  const random = splitMix64(settings.seed);
  const recorder = new TraceRecorder();
  const unmaps: UnmapRecord[] = [];
  const frozenCapabilities: HostCapabilities = Object.freeze({ ...capabilities });

  /** Runs the fault rules for a call: the errno of an injected failure, or 0. */
  const injected = (call: Omit<SimulatedCall, 'count'>): number => faults.check(call);
  const result = (errno: number) => (errno === 0 ? 'ok' : errnoName(errno));
  const failed = (errno: number) => (errno === 0 ? {} : { injected: true as const });

  /** A page-table operation on a mapping, with fault rules and trace. */
  function operate(
    op: FaultableOperation,
    entry: TraceEntry,
    call: Omit<SimulatedCall, 'count' | 'op'>,
    run: () => number,
  ): number {
    const fault = injected({ op, ...call });
    const errno = fault || run();
    recorder.record({ ...entry, result: result(errno), ...failed(fault) });
    return errno;
  }

  /** A byte access: traced, and traced as SIMULATED_FAULT before the fault is thrown. */
  function access<T>(entry: TraceEntry, run: () => T): T {
    const recorded = recorder.record(entry);
    try {
      return run();
    } catch (error) {
      recorded.result = error instanceof SimulatedFaultError ? 'SIMULATED_FAULT' : 'error';
      throw error;
    }
  }

  /** Mappings whose bytes decommit gave back already: their unmap records nothing. */
  const decommitted = new Set<number>();

  function recordUnmap(mapping: Mapping, reserved = false): void {
    const bytes = new NativeUint8Array(mapping.storage); // read by index only
    let nonZeroBytes = 0;
    let firstNonZeroOffset: number | undefined;
    for (let page = 0; page < mapping.resident.length; page++) {
      if (!mapping.resident[page]) continue; // never touched: still zero
      for (let at = page * pageSize; at < (page + 1) * pageSize; at++) {
        if (bytes[at] === 0) continue;
        nonZeroBytes++;
        firstNonZeroOffset ??= at;
      }
    }
    const record: UnmapRecord = { id: mapping.id, address: mapping.address, length: mapping.length, nonZeroBytes };
    if (firstNonZeroOffset !== undefined) record.firstNonZeroOffset = firstNonZeroOffset;
    if (reserved) record.reserved = true;
    unmaps.push(record);
    if (settings.onUnmap) {
      const callback = settings.onUnmap;
      const copy = bytes.slice();
      try {
        callback({ ...record }, copy);
      } catch (error) {
        // Thrown inside a host call it would leave the core half way through free: report it apart.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  const host: SimulatedHost = {
    platform: 'simulated',
    syscalls: POSIX_SYSCALLS,
    pageSize: () => pageSize,
    capabilities: () => frozenCapabilities,

    map(length, alignment, protection, flags) {
      const fault = injected({ op: 'map', length, alignment, protection: protectionName(protection), flags });
      const outcome = fault ? { error: fault } : table.map(length, alignment, protection, flags);
      const entry = { op: 'map' as const, length, alignment, protection: protectionName(protection), flags };
      if ('error' in outcome) {
        recorder.record({ ...entry, result: errnoName(outcome.error), ...failed(fault) });
        return -outcome.error;
      }
      recorder.record({ ...entry, result: outcome.id, address: `0x${table.mapping(outcome.id).address.toString(16)}` });
      return outcome.id;
    },

    unmap(id) {
      return operate('unmap', { op: 'unmap', id, result: '' }, { id }, () => {
        const mapping = table.mapping(id);
        if (!decommitted.delete(id)) recordUnmap(mapping);
        table.unmap(id);
        return 0;
      });
    },

    decommit(id) {
      return operate('decommit', { op: 'decommit', id, result: '' }, { id }, () => {
        const mapping = table.mapping(id);
        if (!decommitted.has(id)) recordUnmap(mapping, true);
        decommitted.add(id);
        table.decommit(id);
        return 0;
      });
    },

    mapSecret: (id, offset, length, protection) =>
      operate(
        'mapSecret',
        { op: 'mapSecret', id, offset, length, protection: protectionName(protection), result: '' },
        { id, offset, length, protection: protectionName(protection) },
        () => table.mapSecret(id, offset, length, protection),
      ),

    protect: (id, offset, length, protection) =>
      operate(
        'protect',
        { op: 'protect', id, offset, length, protection: protectionName(protection), result: '' },
        { id, offset, length, protection: protectionName(protection) },
        () => table.protect(id, offset, length, protection),
      ),

    lock: (id, offset, length) =>
      operate('lock', { op: 'lock', id, offset, length, result: '' }, { id, offset, length }, () =>
        table.lock(id, offset, length),
      ),

    unlock: (id, offset, length) =>
      operate('unlock', { op: 'unlock', id, offset, length, result: '' }, { id, offset, length }, () =>
        table.unlock(id, offset, length),
      ),

    advise: (id, offset, length, advice) =>
      operate(
        'advise',
        { op: 'advise', id, offset, length, advice: adviceName(advice), result: '' },
        { id, offset, length, advice: adviceName(advice) },
        () => table.advise(id, offset, length, advice),
      ),

    copyIn(id, offset, source) {
      const length = byteLengthOf(source); // a caller's own array: its length through the built-in
      return access({ op: 'copyIn', id, offset, length, result: 'ok' }, () => {
        memory.copyIn(table.mapping(id), offset, source, `copyIn of ${length} bytes`);
        return 0;
      });
    },

    copyOut(id, offset, target) {
      const length = byteLengthOf(target);
      return access({ op: 'copyOut', id, offset, length, result: 'ok' }, () => {
        memory.copyOut(table.mapping(id), offset, target, `copyOut of ${length} bytes`);
        return 0;
      });
    },

    fill(id, offset, length, byte) {
      return access({ op: 'fill', id, offset, length, byte, result: 'ok' }, () => {
        memory.fill(table.mapping(id), offset, length, byte);
        return 0;
      });
    },

    view(id, offset, length) {
      return access({ op: 'view', id, offset, length, result: 'ok' }, () =>
        length === 0 ? new NativeUint8Array(0) : memory.view(table.mapping(id), offset, length),
      );
    },

    randomBytes(target) {
      recorder.record({ op: 'randomBytes', length: target.length, result: 'ok' });
      random.fill(target);
      return 0;
    },

    address: (id) => table.mapping(id).address,
    errorName: (error) => errnoName(error),

    memlockStatus(): MemlockStatus {
      return { soft: settings.memlockLimit, hard: settings.memlockLimit, lockedBytes: table.lockedPages() * pageSize };
    },

    kernelView: (address, length) => kernelViewOf(table, address, length),

    memoryRoom() {
      // As MemAvailable: what was available, less every page touched (committed) since.
      const bytes = Math.max(0, settings.availableMemory - table.residentPages() * pageSize);
      recorder.record({ op: 'memoryRoom', result: Number.isFinite(bytes) ? `${bytes} bytes` : 'unlimited' });
      return { bytes, available: bytes };
    },

    trace: () => recorder.list(),
    clearTrace: () => recorder.clear(),
    injectFault: (fault) => faults.add(fault),

    raw: Object.freeze({
      read: (address: bigint, length: number) => memory.readAt(address, length),
      write: (address: bigint, bytes: Uint8Array) => memory.writeAt(address, bytes),
    }),

    unmapped: () => unmaps.map((record) => ({ ...record })),

    usage: () => ({
      mappings: table.mappings().length,
      vmas: table.vmaCount(),
      mappedBytes: table.mappings().reduce((sum, mapping) => sum + mapping.length, 0),
      lockedBytes: table.lockedPages() * pageSize,
    }),
  };
  return Object.freeze(host);
}
