import type { Fleet } from '../fleet/fleet.js';
import type { LiveFleet } from '../fleet/live-fleet.js';
import { MetricWriter, type Labels } from '../emulator/prometheus-text.js';
import type { CompletionRecord, GatewayHooks } from './lifecycle.js';

/** Requests by endpoint and HTTP status, counted from the `account` phase's one record per request. */
export class RequestCounters {
  readonly #counts = new Map<string, { endpoint: string; status: number; count: number }>();

  count(record: CompletionRecord): void {
    const key = `${record.endpoint} ${record.status}`;
    const entry = this.#counts.get(key);
    if (entry === undefined) this.#counts.set(key, { endpoint: record.endpoint, status: record.status, count: 1 });
    else entry.count++;
  }

  /** The hooks with counting added in front of their `onComplete`. */
  wrap(hooks: GatewayHooks): GatewayHooks {
    const next = hooks.onComplete;
    return {
      ...hooks,
      onComplete: (record) => {
        this.count(record);
        next?.(record);
      },
    };
  }

  entries(): IterableIterator<{ endpoint: string; status: number; count: number }> {
    return this.#counts.values();
  }
}

/**
 * The gateway's own view on `GET /metrics` (Prometheus text 0.0.4): per replica the load the scheduler
 * sees (engine numbers combined with our dispatches, or our own accounting when stale), health, staleness
 * and the live monitors' counters; requests by status; routing decisions by policy and pool.
 */
export function renderGatewayMetrics(fleet: Fleet, live: LiveFleet, requests: RequestCounters, policy: string): string {
  const now = fleet.clock.now();
  const w = new MetricWriter();
  w.family('switchyard_requests', 'counter', 'Requests answered, by endpoint and HTTP status.');
  for (const { endpoint, status, count } of requests.entries()) w.sample('switchyard_requests_total', { endpoint, status }, count);

  w.family('switchyard_routing_decisions', 'counter', 'Upstream calls the routing policy placed on a replica (retries included).');
  for (const replica of fleet.all()) w.sample('switchyard_routing_decisions_total', { policy, pool: replica.spec.pool, replica: replica.spec.id }, replica.dispatched);

  const replicas = [...fleet.all()];
  const labels = (id: string, pool: string): Labels => ({ pool, replica: id });
  const gauge = (name: string, help: string, value: (r: (typeof replicas)[number]) => number): void => {
    w.family(name, 'gauge', help);
    for (const r of replicas) w.sample(name, labels(r.spec.id, r.spec.pool), value(r));
  };
  for (const r of replicas) r.refresh(now);
  gauge('switchyard_replica_running', 'Running sequences as the scheduler sees them.', (r) => r.state.running);
  gauge('switchyard_replica_waiting', 'Queued requests as the scheduler sees them.', (r) => r.state.waiting);
  gauge('switchyard_replica_kv_usage', 'KV cache usage as the scheduler sees it, 0..1.', (r) => r.state.kvUsage);
  gauge('switchyard_replica_pending_prefill_tokens', 'Prompt tokens sent by this gateway and not yet prefilled.', (r) => r.state.pendingPrefillTokens);
  gauge('switchyard_replica_in_flight', 'Requests this gateway has in flight on the replica.', (r) => r.inFlight);
  gauge('switchyard_replica_healthy', '1 when the replica may be routed to (breaker and health checks).', (r) => (r.state.healthy ? 1 : 0));
  gauge('switchyard_replica_breaker_open', '1 when the circuit breaker is open or half-open.', (r) => (r.breaker.state === 'closed' ? 0 : 1));
  gauge('switchyard_replica_stale', '1 when its /metrics are scraped but too old: the scheduler uses in-flight accounting.', (r) => (r.isStale(now) ? 1 : 0));
  gauge('switchyard_replica_metrics_age_seconds', 'Age of the engine numbers in use; NaN when none.', (r) => {
    const at = r.observedAt();
    return at === undefined ? Number.NaN : (now - at) / 1000;
  });
  gauge('switchyard_replica_kv_synced', '1 when the precise prefix index follows the replica\'s KV events.', (r) => (r.kvSynced ? 1 : 0));
  gauge('switchyard_prefix_index_blocks', 'Blocks the precise prefix index holds for the replica.', (r) => fleet.prefix.size(r.spec.id));

  w.family('switchyard_prefix_hashes_trusted', 'gauge', '1 while the pool\'s engines are seen to store the blocks the gateway hashes (the precise index is used).');
  for (const pool of new Set(replicas.map((r) => r.spec.pool))) w.sample('switchyard_prefix_hashes_trusted', { pool }, fleet.livePrefix.trusted(pool) ? 1 : 0);
  w.family('switchyard_prefix_hash_checks', 'counter', 'Dispatched requests whose first block the engine did or did not report within 5 s.');
  w.sample('switchyard_prefix_hash_checks_total', { result: 'confirmed' }, fleet.livePrefix.confirmed);
  w.sample('switchyard_prefix_hash_checks_total', { result: 'unconfirmed' }, fleet.livePrefix.unconfirmed);

  const counter = (name: string, help: string, value: (m: LiveFleet['monitors'][number]) => number | undefined): void => {
    w.family(name, 'counter', help);
    for (const m of live.monitors) {
      const v = value(m);
      if (v !== undefined) w.sample(`${name}_total`, labels(m.replica.spec.id, m.replica.spec.pool), v);
    }
  };
  counter('switchyard_replica_scrapes', '/metrics scrapes attempted.', (m) => m.metrics?.status.scrapes);
  counter('switchyard_replica_scrape_failures', '/metrics scrapes failed.', (m) => m.metrics?.status.failures);
  counter('switchyard_replica_kv_event_batches', 'KV event batches applied to the precise prefix index.', (m) => m.kvEvents?.status.batches);
  counter('switchyard_replica_kv_event_gaps', 'Sequence gaps in KV events (each dropped the replica\'s entries).', (m) => m.kvEvents?.status.gaps);
  counter('switchyard_replica_health_check_failures', 'Active health checks failed.', (m) => m.health?.status.failures);
  return w.text();
}
