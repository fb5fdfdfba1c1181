import type { ReplicaSpec } from '../engine/types.js';

/** A pool of identical replicas, resolved against the engine's profiles (see build-fleet.ts). */
export interface SimPool {
  name: string;
  /** Hardware and model profile ids, as the fleet file names them. */
  hardware: string;
  model: string;
  replicas: number;
  spec: ReplicaSpec;
  /** Per replica: hardware $/h × tensor-parallel degree unless the fleet file overrides it. */
  usdPerHour: number;
  /** Per replica: every device's idle and peak draw. */
  idleWatts: number;
  maxWatts: number;
}
