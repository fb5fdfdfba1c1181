import { createEngine, replicaSpec } from '../engine/index.js';
import type { EngineConfig } from '../engine/types.js';
import type { EngineOverrides, FleetFile } from './fleet-file.js';
import type { SimPool } from './pool.js';
import type { EngineFactory } from './replica-set.js';
import { SimInputError } from './types.js';

function overrides(engine: EngineOverrides | undefined): Partial<EngineConfig> {
  const out: Partial<EngineConfig> = {};
  if (engine === undefined) return out;
  for (const [key, value] of Object.entries(engine)) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/**
 * Resolves a fleet file against the engine's profiles. The engine's own errors (unknown hardware or model,
 * a tensor-parallel degree the hardware cannot take, weights that do not fit) come back naming the file
 * and the pool.
 */
export function buildFleet(fleet: FleetFile, file = 'fleet'): SimPool[] {
  return fleet.pools.map((pool, i) => {
    let spec;
    try {
      spec = replicaSpec(pool.model, pool.hardware, pool.tensorParallel, overrides(pool.engine));
    } catch (error) {
      throw new SimInputError(`${file}: pools[${i}] (${pool.name}): ${(error as Error).message}`);
    }
    const tp = spec.tensorParallel;
    return {
      name: pool.name,
      hardware: pool.hardware,
      model: pool.model,
      replicas: pool.replicas,
      spec,
      usdPerHour: pool.usdPerHour ?? spec.hardware.usdPerHour * tp,
      idleWatts: spec.hardware.idleWatts * tp,
      maxWatts: spec.hardware.tdpWatts * tp,
    };
  });
}

/** The engine model, without per-token events (the simulator needs none), with KV events when asked. */
export function engineFactory(kvEvents: boolean): EngineFactory {
  const options = { emitTokenEvents: false, emitKvEvents: kvEvents };
  return (spec) => createEngine(spec, options);
}
