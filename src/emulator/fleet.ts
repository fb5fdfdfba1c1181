import { startEmulator, type EmulatedReplicaInfo, type RunningEmulator } from './emulator.js';
import type { EngineConfig } from '../engine/types.js';
import type { FaultOptions } from './faults.js';
import type { FleetSpec } from './fleet-file.js';

/**
 * `startEmulatorFleet`: every replica of every pool in one process, each on its own port (from `port`
 * upward, or ephemeral when 0), so a whole heterogeneous fleet runs on a small machine. Replica ids are
 * `<pool>-<index>`; each replica's fault rng is seeded with `seed + its position`, so a fleet run is
 * reproducible and replicas do not fail in lockstep.
 */
export interface FleetOptions extends FleetSpec {
  host?: string;
  /** First port; 0 (default) gives every replica an ephemeral port. */
  port?: number;
  speed?: number;
  seed?: number;
  /** Faults applied to pools that declare none. */
  faults?: FaultOptions;
  /** vLLM engine settings for every replica. */
  engineConfig?: Partial<EngineConfig>;
}

export interface FleetReplica extends EmulatedReplicaInfo {
  emulator: RunningEmulator;
}

export interface RunningFleet {
  replicas: FleetReplica[];
  close(): Promise<void>;
}

export async function startEmulatorFleet(spec: FleetOptions): Promise<RunningFleet> {
  const started: RunningEmulator[] = [];
  const basePort = spec.port ?? 0;
  try {
    let index = 0;
    for (const pool of spec.pools) {
      for (let i = 0; i < pool.replicas; i++, index++) {
        const options: Parameters<typeof startEmulator>[0] = {
          id: `${pool.name}-${i}`,
          pool: pool.name,
          hardware: pool.hardware,
          model: pool.model,
          tensorParallel: pool.tensorParallel,
          host: spec.host ?? '127.0.0.1',
          port: basePort === 0 ? 0 : basePort + index,
          speed: spec.speed ?? 1,
          seed: (spec.seed ?? 0) + index,
        };
        if (spec.engineConfig !== undefined || pool.engine !== undefined) options.engineConfig = { ...spec.engineConfig, ...pool.engine };
        const faults = pool.faults ?? spec.faults;
        if (faults !== undefined) options.faults = faults;
        if (pool.servedModelNames !== undefined) options.servedModelNames = pool.servedModelNames;
        try {
          started.push(await startEmulator(options));
        } catch (error) {
          // Name the pool and replica: "pool l4-70b (replica l4-70b-0): llama-3.1-70b does not fit on …".
          throw new Error(`pool ${pool.name} (replica ${pool.name}-${i}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
      }
    }
  } catch (error) {
    await Promise.all(started.map((e) => e.close()));
    throw error;
  }
  return {
    replicas: started.map((e) => {
      const { id, pool, hardware, model, tensorParallel, servedModelNames, url } = e;
      return { id, pool, hardware, model, tensorParallel, servedModelNames, url, emulator: e };
    }),
    async close() {
      await Promise.all(started.map((e) => e.close()));
    },
  };
}
