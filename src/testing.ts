// memshield/testing: the deterministic simulated host, its types and the host interface, for
// unit tests built on memshield (createPlatformMemory({ host }), SecureBuffer and SecureHeap
// { host }). An application needs none of it: re-exports only.
export type { Host, HostCapabilities, KernelRange, MemlockStatus, MemoryRoom } from '../host/types.js';
export {
  createSimulatedHost,
  type SimulatedHost,
  type SimulatedRawAccess,
  type SimulatedUsage,
} from '../host/simulated/host.js';
export type { SimulatedHostOptions, UnmapRecord } from '../host/simulated/options.js';
export type { SimulatedFault, SimulatedCall, FaultableOperation } from '../host/simulated/faults.js';
export type { TraceEntry, TraceResult, ProtectionName, AdviceName } from '../host/simulated/trace.js';
export { SimulatedFaultError } from '../host/simulated/fault-error.js';
