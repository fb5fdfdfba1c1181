/**
 * Power: each device draws idle watts plus a share of (TDP - idle) equal to its utilisation, where
 * utilisation is the roofline's busier side (compute or memory time) as a fraction of the step. A step that
 * saturates HBM draws near TDP, as ML.ENERGY's measurements of large-batch decode show; a step dominated by
 * fixed overhead draws near idle. Linear in utilisation: the simplest model consistent with the 0.12 J/token
 * calibration point (docs/calibration.md).
 */
import { derived, type StepTiming } from './roofline.js';
import type { ReplicaSpec } from './types.js';

/** Watts of the whole replica (all TP devices) at `utilisation` in [0, 1]. */
export function powerWatts(spec: ReplicaSpec, utilisation: number): number {
  const d = derived(spec);
  const u = utilisation < 0 ? 0 : utilisation > 1 ? 1 : utilisation;
  return d.tp * (d.idleWatts + d.dynamicWatts * u);
}

/** Joules of one step of the replica. */
export function stepEnergyJ(spec: ReplicaSpec, timing: StepTiming): number {
  return (powerWatts(spec, timing.utilisation) * timing.totalMs) / 1000;
}

/** Joules the replica burns idling for `ms`. */
export function idleEnergyJ(spec: ReplicaSpec, ms: number): number {
  return ms > 0 ? (powerWatts(spec, 0) * ms) / 1000 : 0;
}
