import type { Config } from '../config/schema.js';
import type { ProviderAdapter } from '../spec/adapter.js';
import { GatewayError } from '../errors/gateway-error.js';
import { createAdapter, isProviderId } from '../providers/registry.js';
import type { ReplicaSpec } from '../fleet/replica.js';
import { kvCapacityBlocks, replicaSpec } from '../engine/replica-spec.js';
import { liveEndpoints } from './live-endpoints.js';

/** Config backends → replica specs (one per base URL) and one adapter per pool. */
export function assembleFleet(config: Config): { specs: ReplicaSpec[]; adapters: Map<string, ProviderAdapter> } {
  const specs: ReplicaSpec[] = [];
  const adapters = new Map<string, ProviderAdapter>();
  const shared = new Map<string, ProviderAdapter>();
  for (const backend of config.backends) {
    const kvBlocksTotal = estimateKvBlocks(backend.modelProfile, backend.hardware, backend.tensorParallel, backend.maxRunning);
    if (!isProviderId(backend.provider)) throw new GatewayError('internal_error', `unknown provider ${backend.provider}`);
    let adapter = shared.get(backend.provider);
    if (adapter === undefined) {
      adapter = createAdapter(backend.provider);
      shared.set(backend.provider, adapter);
    }
    adapters.set(backend.name, adapter);
    const model = config.models.find((m) => m.backends.includes(backend.name))?.name ?? backend.model;
    backend.replicas.forEach((replica, index) => {
      const url = typeof replica === 'string' ? replica : replica.url;
      const id = typeof replica === 'string' || replica.id === undefined ? `${backend.name}-${index}` : replica.id;
      const options: Record<string, unknown> = { ...backend.options };
      const live = liveEndpoints(backend, url);
      if (backend.vendor !== undefined) options.vendor = backend.vendor;
      if (backend.chatTemplate !== undefined) options.chatTemplate = backend.chatTemplate;
      specs.push({
        id,
        pool: backend.name,
        model,
        hardware: backend.hardware,
        ...(backend.modelProfile === undefined ? {} : { modelProfile: backend.modelProfile }),
        tensorParallel: backend.tensorParallel,
        usdPerHour: backend.usdPerHour,
        idleWatts: backend.idleWatts,
        maxWatts: backend.watts,
        maxRunning: backend.maxRunning,
        ...(kvBlocksTotal === undefined ? {} : { kvBlocksTotal, blockSize: BLOCK_SIZE }),
        provider: backend.provider,
        ...(live === undefined ? {} : { live }),
        target: {
          baseUrl: url,
          upstreamModel: backend.model,
          ...(backend.apiKey === undefined ? {} : { apiKey: backend.apiKey }),
          ...(backend.headers === undefined ? {} : { headers: backend.headers }),
          options,
        },
      });
    });
  }
  return { specs, adapters };
}

const BLOCK_SIZE = 16;

/**
 * KV capacity of a self-hosted replica from the engine model (vLLM's memory plan), so cost- and KV-aware
 * policies have a number before any /metrics scrape; undefined for external APIs and unknown profiles.
 */
function estimateKvBlocks(model: string | undefined, hardware: string, tensorParallel: number, maxRunning: number): number | undefined {
  if (model === undefined || hardware === 'external') return undefined;
  try {
    return kvCapacityBlocks(replicaSpec(model, hardware, tensorParallel, { blockSize: BLOCK_SIZE, maxNumSeqs: maxRunning }));
  } catch {
    return undefined;
  }
}
