/** The engine emulator: OpenAI-compatible replicas paced by the engine model (docs/emulator.md). */
export { startEmulator, type EmulatedReplicaInfo, type EmulatorOptions, type RunningEmulator } from './emulator.js';
export { startEmulatorFleet, type FleetOptions, type FleetReplica, type RunningFleet } from './fleet.js';
export { loadFleetFile, parseFleet, FleetFileError, type FleetSpec, type PoolSpec } from './fleet-file.js';
export type { FaultOptions } from './faults.js';
export type { KvEvent, KvEventBatch } from './kv-events.js';
export { DEMO_FLEET } from './demo-fleet.js';
