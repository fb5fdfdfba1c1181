import type { ReplicaState } from '../spec/replica.js';
import type { UpstreamTarget } from '../spec/adapter.js';
import type { Clock } from '../spec/clock.js';
import { CircuitBreaker, type BreakerOptions } from './circuit-breaker.js';
import type { LiveEndpoints } from './live-endpoints.js';
import { combineLoad, type DispatchMark, type ObservedLoad } from './combine-load.js';

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
  /** Where the replica publishes live state (/metrics, KV events, /health); absent for provider APIs. */
  live?: LiveEndpoints;
}

/** Engine-reported load from a /metrics scrape. */
export type LoadReport = Partial<Pick<ReplicaState, 'running' | 'waiting' | 'pendingPrefillTokens' | 'kvUsage' | 'kvBlocksTotal' | 'blockSize'>>;

/** Verdict of the active health check: `unknown` until the first answer, or when the replica has none. */
export type ProbeState = 'unknown' | 'up' | 'down';

/**
 * One replica as the gateway sees it: its static spec, a circuit breaker, in-flight accounting, and what
 * its engine last reported. The `state` object handed to routing policies is allocated once and updated in
 * place, so building a FleetView per request allocates nothing per replica.
 */
export class Replica {
  readonly breaker: CircuitBreaker;
  readonly state: ReplicaState;
  /** Requests this gateway has sent and not yet finished. */
  inFlight = 0;
  /** Estimated prompt tokens of in-flight requests whose first token has not arrived. */
  pendingPrefill = 0;
  /** Requests this gateway has sent to the replica, ever (monotonic; the between-scrapes rule counts from it). */
  dispatched = 0;
  /** Requests that finished, ever. */
  completed = 0;
  /** Prompt tokens of every request sent, ever. */
  dispatchedPromptTokens = 0;
  /** Active health check verdict (health-checker.ts); `down` takes the replica out of routing. */
  probe: ProbeState = 'unknown';
  /** The precise prefix index holds this replica's KV events and is in sync (kv-subscriber.ts). */
  kvSynced = false;
  /** Engine load older than this falls back to our own accounting; Infinity when nothing scrapes it. */
  staleAfterMs = Infinity;
  #observed: ObservedLoad | undefined;

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

  /** May the replica be routed to: breaker closed (or a free half-open probe) and not failing health checks. */
  available(): boolean {
    return this.probe !== 'down' && this.breaker.available();
  }

  /** Our dispatch counters now; a scraper takes one when it sends a scrape and hands it back to `observe`. */
  mark(): DispatchMark {
    return { dispatched: this.dispatched, completed: this.completed, promptTokens: this.dispatchedPromptTokens };
  }

  /**
   * Engine-reported load (from a /metrics scrape) replaces our own in-flight estimate until it is older
   * than `staleAfterMs`; `since` is the dispatch mark taken when the scrape was sent (default: now).
   * Passing `undefined` goes back to our own accounting at once.
   */
  observe(load: LoadReport | undefined, since: DispatchMark = this.mark()): void {
    if (load === undefined) {
      this.#observed = undefined;
      return;
    }
    const state = this.state;
    if (load.kvBlocksTotal !== undefined) state.kvBlocksTotal = load.kvBlocksTotal;
    if (load.blockSize !== undefined) state.blockSize = load.blockSize;
    this.#observed = {
      running: load.running ?? 0,
      waiting: load.waiting ?? 0,
      kvUsage: load.kvUsage ?? state.kvUsage,
      atMs: this.clock.now(),
      mark: since,
    };
    state.updatedAtMs = this.#observed.atMs;
  }

  /** Clock time of the engine load in use, or undefined when running on our own accounting. */
  observedAt(): number | undefined {
    return this.#observed?.atMs;
  }

  /** Metrics are expected (something scrapes them) but the last good one is missing or too old. */
  isStale(now: number = this.clock.now()): boolean {
    if (this.staleAfterMs === Infinity) return false;
    return this.#observed === undefined || now - this.#observed.atMs > this.staleAfterMs;
  }

  /** Refreshes the policy-facing state from the engine's last report, our own accounting and health. */
  refresh(now: number): ReplicaState {
    const state = this.state;
    const observed = this.#observed;
    if (observed !== undefined && now - observed.atMs <= this.staleAfterMs) {
      combineLoad(state, observed, this.mark());
    } else {
      state.running = Math.min(this.inFlight, state.maxRunning);
      state.waiting = Math.max(0, this.inFlight - state.maxRunning);
    }
    // No engine reports its queued prefill work; our own count of prompts awaiting their first token is it.
    state.pendingPrefillTokens = this.pendingPrefill;
    state.healthy = this.available();
    state.updatedAtMs = now;
    return state;
  }
}
