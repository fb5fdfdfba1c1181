import type { ReplicaState } from '../spec/replica.js';
import type { UpstreamTarget } from '../spec/adapter.js';
import type { Clock } from '../spec/clock.js';
import { CircuitBreaker, type BreakerOptions } from './circuit-breaker.js';

/** What the config says about a replica; fixed for its lifetime. */
export interface ReplicaSpec {
  id: string;
  pool: string;
  /** Public model name (the first model that lists this pool). */
  model: string;
  hardware: string;
  modelProfile?: string;
  tensorParallel: number;
  usdPerHour: number;
  idleWatts: number;
  maxWatts: number;
  maxRunning: number;
  /** KV capacity in blocks, when known (engine model estimate until the replica's /metrics says). */
  kvBlocksTotal?: number;
  /** Tokens per KV block (vLLM default 16). */
  blockSize?: number;
  /** Adapter id from src/providers/registry.ts. */
  provider: string;
  target: UpstreamTarget;
}

/**
 * One replica as the gateway sees it: its static spec, a circuit breaker, and in-flight accounting. The
 * `state` object handed to routing policies is allocated once and updated in place, so building a
 * FleetView per request allocates nothing per replica. Other sources (a /metrics scraper, KV events) may
 * update `state` fields through `observe`.
 */
export class Replica {
  readonly breaker: CircuitBreaker;
  readonly state: ReplicaState;
  /** Requests this gateway has sent and not yet finished. */
  inFlight = 0;
  /** Estimated prompt tokens of in-flight requests whose first token has not arrived. */
  pendingPrefill = 0;

  constructor(
    readonly spec: ReplicaSpec,
    breaker: BreakerOptions,
    private readonly clock: Clock,
  ) {
    this.breaker = new CircuitBreaker(breaker, clock);
    this.state = {
      id: spec.id,
      pool: spec.pool,
      model: spec.model,
      hardware: spec.hardware,
      ...(spec.modelProfile === undefined ? {} : { modelProfile: spec.modelProfile }),
      tensorParallel: spec.tensorParallel,
      usdPerHour: spec.usdPerHour,
      idleWatts: spec.idleWatts,
      maxWatts: spec.maxWatts,
      running: 0,
      waiting: 0,
      pendingPrefillTokens: 0,
      kvUsage: 0,
      kvBlocksTotal: spec.kvBlocksTotal ?? 0,
      blockSize: spec.blockSize ?? 16,
      maxRunning: spec.maxRunning,
      healthy: true,
      updatedAtMs: clock.now(),
    };
  }

  /** Refreshes the policy-facing state from our own accounting and the breaker. */
  refresh(now: number): ReplicaState {
    const state = this.state;
    if (!this.#external) {
      state.running = Math.min(this.inFlight, state.maxRunning);
      state.waiting = Math.max(0, this.inFlight - state.maxRunning);
      state.pendingPrefillTokens = this.pendingPrefill;
    }
    state.healthy = this.breaker.available();
    state.updatedAtMs = now;
    return state;
  }

  #external = false;

  /**
   * Engine-reported load (from a /metrics scraper) replaces our own in-flight estimate; passing
   * `undefined` goes back to our own accounting.
   */
  observe(load: Partial<Pick<ReplicaState, 'running' | 'waiting' | 'pendingPrefillTokens' | 'kvUsage' | 'kvBlocksTotal' | 'blockSize'>> | undefined): void {
    if (load === undefined) {
      this.#external = false;
      return;
    }
    this.#external = true;
    Object.assign(this.state, load);
    this.state.updatedAtMs = this.clock.now();
  }
}
