import type { BackendConfig } from '../config/schema.js';
import type { LiveEndpoints } from '../fleet/live-endpoints.js';

/**
 * A replica's live endpoints from its backend's config (src/config/live-schema.ts). Each signal is on by
 * default for self-hosted backends (`hardware` other than `external`) and off for provider APIs. Paths are
 * resolved against the replica's server root: its base URL without a trailing `/v1`
 * (`http://10.0.0.5:8000/v1` → `http://10.0.0.5:8000/metrics`), which is where vLLM, SGLang, llama.cpp
 * and the emulator serve `/metrics` and `/health`.
 */
export function liveEndpoints(backend: BackendConfig, replicaUrl: string): LiveEndpoints | undefined {
  const selfHosted = backend.hardware !== 'external';
  const root = serverRoot(replicaUrl);
  const live: LiveEndpoints = {};
  const { metrics, kvEvents, health } = backend;
  if (metrics.enabled ?? selfHosted) {
    live.metrics = { url: resolve(root, metrics.url), intervalMs: metrics.intervalMs, staleAfterMs: metrics.staleAfterMs, timeoutMs: metrics.timeoutMs };
  }
  if (kvEvents.enabled ?? selfHosted) live.kvEvents = { url: resolve(root, kvEvents.url) };
  if (health.enabled ?? selfHosted) {
    live.health = {
      url: resolve(root, health.path),
      intervalMs: health.intervalMs,
      timeoutMs: health.timeoutMs,
      unhealthyThreshold: health.unhealthyThreshold,
      healthyThreshold: health.healthyThreshold,
    };
  }
  return live.metrics === undefined && live.kvEvents === undefined && live.health === undefined ? undefined : live;
}

/** `http://host:8000/v1/` → `http://host:8000`; `http://host/vllm-a/v1` → `http://host/vllm-a`. */
export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

function resolve(root: string, pathOrUrl: string): string {
  return pathOrUrl.startsWith('/') ? `${root}${pathOrUrl}` : pathOrUrl;
}
