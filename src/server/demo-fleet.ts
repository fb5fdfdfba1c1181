import type { Config } from '../config/schema.js';
import { validateConfig } from '../config/load.js';
import { hardwareProfile } from '../engine/hardware.js';
import { startEmulatorFleet, type RunningFleet } from '../emulator/index.js';

/**
 * `switchyard serve` with no config: an in-process emulated fleet and a gateway config pointing at it,
 * so `npm start` needs nothing else. One model family on three kinds of silicon (H100, L4, Trainium2)
 * plus a second model, priced and powered from the engine's hardware profiles, behind the cost-aware
 * `switchyard` policy. The emulator paces tokens with the engine model, `speed` times faster than real time.
 */
export const DEMO_POOLS = [
  { name: 'llama-h100', hardware: 'h100-sxm', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 1 },
  { name: 'llama-l4', hardware: 'l4', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 2 },
  { name: 'llama-trn2', hardware: 'trainium2', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 1 },
  { name: 'qwen-h100', hardware: 'h100-sxm', model: 'qwen3-30b-a3b', tensorParallel: 1, replicas: 1 },
] as const;

export interface DemoFleet {
  fleet: RunningFleet;
  config: Config;
}

export async function startDemoFleet(options: { speed: number; host?: string; port?: number; seed?: number }): Promise<DemoFleet> {
  const fleet = await startEmulatorFleet({
    pools: DEMO_POOLS.map((pool) => ({ ...pool })),
    speed: options.speed,
    seed: options.seed ?? 1,
  });
  const backends = DEMO_POOLS.map((pool) => {
    const hardware = hardwareProfile(pool.hardware);
    return {
      name: pool.name,
      vendor: 'vllm',
      // The emulator renders chat prompts with ChatML: hash them the same way (cache-aware routing on chat).
      chatTemplate: 'chatml' as const,
      model: pool.model,
      modelProfile: pool.model,
      hardware: pool.hardware,
      tensorParallel: pool.tensorParallel,
      usdPerHour: hardware.usdPerHour * pool.tensorParallel,
      watts: hardware.tdpWatts * pool.tensorParallel,
      idleWatts: hardware.idleWatts * pool.tensorParallel,
      replicas: fleet.replicas.filter((r) => r.pool === pool.name).map((r) => ({ id: r.id, url: `${r.url}/v1` })),
    };
  });
  const config = validateConfig(
    {
      server: { ...(options.host === undefined ? {} : { host: options.host }), ...(options.port === undefined ? {} : { port: options.port }) },
      routing: { policy: 'switchyard' },
      backends,
      models: [
        {
          name: 'llama-3.1-8b',
          aliases: ['llama', 'default'],
          backends: ['llama-l4', 'llama-trn2', 'llama-h100'],
          fallbacks: ['qwen3-30b-a3b'],
          slo: { ttftMs: 2000, tpotMs: 100 },
        },
        { name: 'qwen3-30b-a3b', aliases: ['qwen'], backends: ['qwen-h100'], slo: { ttftMs: 2000, tpotMs: 100 } },
      ],
    },
    { source: 'emulated demo fleet' },
  );
  return { fleet, config };
}
