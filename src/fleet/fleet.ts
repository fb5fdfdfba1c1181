import type { Clock } from '../spec/clock.js';
import type { ReplicaState } from '../spec/replica.js';
import type { FleetView } from '../spec/routing.js';
import { PrecisePrefixIndex } from '../scheduler/prefix/precise-index.js';
import { LivePrefixLookup } from './live-prefix.js';
import type { BreakerOptions } from './circuit-breaker.js';
import { Replica, type ReplicaSpec } from './replica.js';

/** Why a call on a replica ended; decides what the breaker hears. */
export type CallOutcome =
  | { kind: 'success' }
  /** The replica is unwell: connect error, timeout, 5xx. */
  | { kind: 'failure' }
  /** The replica asked us to wait (429 or 503 with retry-after). */
  | { kind: 'paused'; retryAfterMs: number }
  /** The request's own fault (4xx) or the client went away: says nothing about the replica. */
  | { kind: 'neutral' };

/**
 * The live registry of replicas, grouped by pool, with in-flight accounting and passive health. It is
 * the one place the rest of the gateway asks "who can serve, and how busy are they"; the live monitors
 * (live-fleet.ts: /metrics scrapers, KV event subscribers, health checks) feed it.
 */
export class Fleet {
  readonly #byId = new Map<string, Replica>();
  readonly #byPool = new Map<string, Replica[]>();
  /** What each replica's engine says its KV cache holds, from KV events (kv-subscriber.ts). */
  readonly prefix = new PrecisePrefixIndex();
  /** The precise index plus speculative entries for requests just dispatched (live-prefix.ts). */
  readonly livePrefix: LivePrefixLookup;

  constructor(
    specs: readonly ReplicaSpec[],
    breaker: BreakerOptions,
    readonly clock: Clock,
  ) {
    this.livePrefix = new LivePrefixLookup(this.prefix, () => clock.now());
    for (const spec of specs) {
      const replica = new Replica(spec, breaker, clock);
      this.#byId.set(spec.id, replica);
      const pool = this.#byPool.get(spec.pool) ?? [];
      pool.push(replica);
      this.#byPool.set(spec.pool, pool);
    }
  }

  get(id: string): Replica | undefined {
    return this.#byId.get(id);
  }

  pool(name: string): readonly Replica[] {
    return this.#byPool.get(name) ?? [];
  }

  all(): IterableIterator<Replica> {
    return this.#byId.values();
  }

  /** At least one replica is neither circuit-broken nor failing health checks (`GET /ready`). */
  anyHealthy(): boolean {
    for (const replica of this.#byId.values()) if (replica.available()) return true;
    return false;
  }

  /** Fresh policy-facing states for the replicas of `pools`, skipping ids in `exclude`. */
  candidates(pools: readonly string[], exclude: ReadonlySet<string>, out: ReplicaState[] = []): ReplicaState[] {
    const now = this.clock.now();
    for (const pool of pools) {
      const replicas = this.#byPool.get(pool);
      if (replicas === undefined) continue;
      for (const replica of replicas) if (!exclude.has(replica.spec.id)) out.push(replica.refresh(now));
    }
    return out;
  }

  /**
   * The policy's view of `candidates`. The precise prefix index is offered only when every candidate's KV
   * events are in sync: a replica without events (a provider API, a vLLM without an event relay, a stream
   * that dropped) would otherwise look cold next to its peers, and the policy's own approximate index,
   * which remembers every routing decision, is the better guess for all of them. The same holds when the
   * engines of a pool never confirm the gateway's block hashes (live-prefix.ts: another tokenizer or chat
   * template).
   */
  view(now: number, candidates: readonly ReplicaState[]): FleetView {
    for (const state of candidates) {
      if (this.#byId.get(state.id)?.kvSynced !== true || !this.livePrefix.trusted(state.pool)) return { now, replicas: candidates };
    }
    return { now, replicas: candidates, prefix: this.livePrefix };
  }

  /**
   * A request was sent to the replica. `request.blockHashes` (read only when the replica's KV events are
   * live, since computing them tokenizes the prompt) become speculative prefix entries until the engine's
   * events confirm them.
   */
  begin(replica: Replica, promptTokens: number, request?: { readonly blockHashes: readonly number[] }): void {
    if (request !== undefined && replica.kvSynced) this.livePrefix.speculate(replica.spec.id, replica.spec.pool, request.blockHashes);
    replica.inFlight++;
    replica.dispatched++;
    replica.dispatchedPromptTokens += promptTokens;
    replica.pendingPrefill += promptTokens;
    replica.breaker.onDispatch();
  }

  /** The first token (or the whole answer) arrived: its prefill is no longer pending. */
  firstToken(replica: Replica, promptTokens: number): void {
    replica.pendingPrefill = Math.max(0, replica.pendingPrefill - promptTokens);
  }

  /** The request finished on the replica. `prefillPending` says whether `firstToken` was not yet called. */
  end(replica: Replica, promptTokens: number, prefillPending: boolean, outcome: CallOutcome): void {
    replica.inFlight = Math.max(0, replica.inFlight - 1);
    replica.completed++;
    if (prefillPending) this.firstToken(replica, promptTokens);
    switch (outcome.kind) {
      case 'success':
        replica.breaker.onSuccess();
        break;
      case 'failure':
        replica.breaker.onFailure();
        break;
      case 'paused':
        replica.breaker.pauseFor(outcome.retryAfterMs);
        break;
      case 'neutral':
        replica.breaker.onNeutral();
        break;
    }
  }
}

export { Replica, type ReplicaSpec } from './replica.js';
