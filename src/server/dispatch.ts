import type { CallContext, ProviderAdapter, UpstreamTarget } from '../spec/adapter.js';
import type { CancelSignal } from '../spec/cancel.js';
import type { Clock } from '../spec/clock.js';
import type { ReplicaState } from '../spec/replica.js';
import type { CompletionOutcome, Decision, RequestFeatures, RoutingPolicy } from '../spec/routing.js';
import type { HttpTransport } from '../spec/transport.js';
import { GatewayError } from '../errors/gateway-error.js';
import { UpstreamError } from '../errors/upstream-error.js';
import type { CallOutcome, Fleet, Replica } from '../fleet/fleet.js';
import type { ModelRoute } from '../router/router.js';
import type { Logger } from './logger.js';
import { QueueGate } from './queue-gate.js';

export interface DispatchOptions {
  /** Upstream attempts per request across replicas and fallbacks, first try included. */
  maxAttempts: number;
  /** Longest upstream `retry-after` the gateway waits out itself before moving down the chain. */
  maxRetryAfterMs: number;
  /** Longest a request waits when the policy says "queue" (no replica meets its objective yet). */
  maxQueueMs: number;
}

/** Slack added to a retry-after wait so the paused replica has reopened when we look again. */
const PAUSE_MARGIN_MS = 10;

/** A call that reached a replica and succeeded; the caller ends it when the answer is delivered. */
export interface Lease<T> {
  value: T;
  replica: Replica;
  model: ModelRoute;
  attempts: number;
  /** Time spent waiting on upstream calls, every attempt included, ms: the rest is the gateway's own. */
  upstreamMs: number;
  /**
   * Ends the in-flight accounting on the replica (once). `observed` (tokens, TTFT, TPOT) goes to the
   * policy's `onComplete`, so policies that learn from their estimate errors can.
   */
  end(outcome: CallOutcome, observed?: Omit<CompletionOutcome, 'ok'>): void;
  /** The first token arrived: its prefill is no longer pending on the replica. */
  firstToken(): void;
}

export type Invoke<T> = (adapter: ProviderAdapter, target: UpstreamTarget, context: CallContext) => Promise<T>;

/**
 * route → schedule → dispatch, with retries and fallback wrapped around one straight call:
 *
 * 1. For each model of the fallback chain, ask the routing policy for a replica among the model's pools,
 *    skipping replicas already tried for this request. The first ask goes through the model's scheduler
 *    (queue-gate.ts): when the policy says "queue", the request waits in one bounded queue, released in
 *    fairness order (interactive before batch, then the tenant with the least service), at most
 *    `maxQueueMs`.
 * 2. Call it. A retryable failure (connect error, timeout, 408/409/429/5xx: UpstreamError.retryable) is
 *    reported to the replica's breaker and the loop tries another replica, then the next model.
 * 3. An upstream `retry-after` pauses that replica for that long. When every replica of the last model
 *    in the chain is paused and the wait is short (≤ maxRetryAfterMs), the loop waits once and tries
 *    again; earlier in the chain it moves on to the fallback instead of waiting.
 * 4. A non-retryable failure (the request's own fault, 400/404/422) ends the loop at once.
 *
 * Only the invoke function decides when "the first byte reached the client": it returns before that, so
 * everything here happens strictly before the client sees a response (for streams the invoke pulls the
 * first event; see pipeline.ts). A stream is never retried once it began.
 */
export class Dispatcher {
  readonly #gate: QueueGate;

  constructor(
    private readonly fleet: Fleet,
    private readonly policy: RoutingPolicy,
    private readonly adapters: ReadonlyMap<string, ProviderAdapter>,
    private readonly transport: HttpTransport,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: DispatchOptions,
  ) {
    this.#gate = new QueueGate(fleet, policy, clock, options.maxQueueMs);
  }

  /**
   * The adapter and target of the model's first pool: where the prompt the request's block hashes stand
   * for is rendered (`ProviderAdapter.renderPrompt`). Pools of one model are expected to share a template;
   * one that does not is caught by the fleet's hash check (live-prefix.ts) and falls back to the policy's
   * own index.
   */
  promptTarget(model: ModelRoute): { adapter: ProviderAdapter; target: UpstreamTarget } | undefined {
    for (const pool of model.pools) {
      const adapter = this.adapters.get(pool);
      const replica = this.fleet.pool(pool)[0];
      if (adapter !== undefined && replica !== undefined) return { adapter, target: replica.spec.target };
    }
    return undefined;
  }

  async run<T>(chain: readonly ModelRoute[], features: RequestFeatures, signal: CancelSignal, invoke: Invoke<T>): Promise<Lease<T>> {
    let attempts = 0;
    let upstreamMs = 0;
    let lastError: unknown;
    const tried = new Set<string>();
    const candidates: ReplicaState[] = [];
    for (let position = 0; position < chain.length; position++) {
      const model = chain[position] as ModelRoute;
      const last = position === chain.length - 1;
      features.model = model.name;
      let waited = false;
      let shortestWait = Infinity;
      let firstOnModel = true;
      const scheduler = this.#gate.scheduler(model);
      while (attempts < this.options.maxAttempts) {
        // route: the model's pools; schedule: the policy picks a replica among them.
        candidates.length = 0;
        this.fleet.candidates(model.pools, tried, candidates);
        let decision: Decision;
        // Placed through the scheduler: it already charged the tenant and told the policy.
        let placed = false;
        if (candidates.length === 0) decision = { kind: 'reject', reason: 'every replica was tried', retryAfterMs: 0 };
        else if (firstOnModel) {
          firstOnModel = false;
          const placement = await this.#gate.place(model, features, signal);
          placed = placement.kind === 'route';
          decision = placement.kind === 'route' ? placement.decision : { kind: 'reject', reason: placement.reason, retryAfterMs: placement.retryAfterMs };
        } else decision = this.policy.decide(features, this.fleet.view(this.clock.now(), candidates));
        if (decision.kind !== 'route') {
          if (last && !waited && shortestWait <= this.options.maxRetryAfterMs) {
            // Every replica asked us to wait a little and there is no fallback left: wait once, retry.
            waited = true;
            // A few ms past the pause: timers and the clock tick separately, and waking a hair early
            // would find the replica still paused and give up.
            await sleep(shortestWait + PAUSE_MARGIN_MS, signal);
            tried.clear();
            continue;
          }
          if (this.logger.enabled('debug')) this.logger.debug('no replica for model', { requestId: features.id, model: model.name, reason: decision.reason });
          const anyHealthy = candidates.some((replica) => replica.healthy);
          const retryAfterMs = decision.kind === 'reject' ? Math.max(1000, decision.retryAfterMs) : 1000;
          lastError ??= anyHealthy
            ? new GatewayError('capacity_exceeded', `no replica of model "${model.name}" can take the request now (${decision.reason})`, { retryAfterMs })
            : new GatewayError('upstream_unavailable', `no healthy replica can serve model "${model.name}" (${decision.reason})`, { retryAfterMs });
          break;
        }
        const replica = this.fleet.get(decision.replicaId);
        if (replica === undefined) throw new Error(`policy ${this.policy.name} chose unknown replica ${decision.replicaId}`);
        const adapter = this.adapters.get(replica.spec.pool);
        if (adapter === undefined) throw new Error(`no adapter for pool ${replica.spec.pool}`);
        if (this.logger.enabled('debug')) {
          this.logger.debug('route', { requestId: features.id, model: model.name, pool: replica.spec.pool, replica: replica.spec.id, policy: this.policy.name, reason: decision.reason });
        }
        tried.add(replica.spec.id);
        attempts++;
        // dispatch
        this.fleet.begin(replica, features.promptTokens, features);
        if (!placed) scheduler.dispatched(features, replica.spec.id, this.clock.now());
        let prefillPending = true;
        let ended = false;
        const end = (outcome: CallOutcome, observed?: Omit<CompletionOutcome, 'ok'>): void => {
          if (ended) return;
          ended = true;
          this.fleet.end(replica, features.promptTokens, prefillPending, outcome);
          scheduler.complete(features, replica.spec.id, this.clock.now(), Object.assign({ ok: outcome.kind === 'success' }, observed));
          this.#gate.release();
        };
        const callStart = this.clock.now();
        try {
          const value = await invoke(adapter, replica.spec.target, { transport: this.transport, signal, requestId: features.id, clock: this.clock });
          upstreamMs += this.clock.now() - callStart;
          return {
            value,
            replica,
            model,
            attempts,
            upstreamMs,
            end,
            firstToken: () => {
              if (!prefillPending) return;
              prefillPending = false;
              this.fleet.firstToken(replica, features.promptTokens);
            },
          };
        } catch (error) {
          upstreamMs += this.clock.now() - callStart;
          if (signal.aborted) {
            end({ kind: 'neutral' });
            throw error;
          }
          const outcome = outcomeOf(error);
          end(outcome);
          if (outcome.kind === 'paused') shortestWait = Math.min(shortestWait, outcome.retryAfterMs);
          lastError = error;
          if (typeof error === 'object' && error !== null) errorRoutes.set(error, `${replica.spec.pool}/${replica.spec.id}`);
          const retryable = UpstreamError.isUpstream(error) && error.retryable;
          this.logger.warn('upstream attempt failed', {
            requestId: features.id,
            pool: replica.spec.pool,
            replica: replica.spec.id,
            attempt: attempts,
            retryable,
            error: error instanceof Error ? error.message : String(error),
          });
          if (!retryable) throw error;
        }
      }
      if (attempts >= this.options.maxAttempts) break;
    }
    throw lastError ?? new GatewayError('upstream_unavailable', 'no replica could serve the request', { retryAfterMs: 1000 });
  }
}

/** The replica whose answer an error is (`pool/replica`), so the client sees where a failure came from. */
const errorRoutes = new WeakMap<object, string>();

export function routeOfError(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? errorRoutes.get(error) : undefined;
}

/** What a failure says about the replica. */
export function outcomeOf(error: unknown): CallOutcome {
  if (!UpstreamError.isUpstream(error)) return { kind: 'neutral' };
  if (error.kind === 'status') {
    const status = error.upstreamStatus ?? 0;
    if (status === 429 || ((status === 503 || status === 529) && error.retryAfterMs !== undefined)) {
      return { kind: 'paused', retryAfterMs: error.retryAfterMs ?? 1000 };
    }
    return status >= 500 ? { kind: 'failure' } : { kind: 'neutral' };
  }
  return { kind: 'failure' };
}

function sleep(ms: number, signal: CancelSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
