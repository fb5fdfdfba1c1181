import type { CompletionOutcome, Decision, FleetView, RequestFeatures, RoutingPolicy } from '../spec/routing.js';
import { AdmissionQueue } from './admission-queue.js';
import { type FairnessOptions, VirtualTokenCounter } from './fairness.js';

/** Queue heads (one per tenant and priority) offered to the policy per `next` call. */
const MAX_HEADS_TRIED = 8;

/** What became of a request: placed on a replica, or turned away with a retry-after. */
export type Placement =
  | { kind: 'route'; request: RequestFeatures; replicaId: string; decision: Decision & { kind: 'route' } }
  | { kind: 'reject'; request: RequestFeatures; reason: string; retryAfterMs: number };

export interface SchedulerOptions {
  /** Queue bound; beyond it new requests are rejected (429 + retry-after). */
  maxQueued?: number;
  /**
   * Longest a request may wait in the queue. Default: its TTFT objective (after that it has missed it
   * already, and serving it would only take capacity from requests that still can make theirs), else
   * 60 s for interactive and 10 min for batch work.
   */
  maxWaitMs?: (request: RequestFeatures) => number;
  fairness?: FairnessOptions;
}

/**
 * A routing policy with a queue in front: the one place where `queue` decisions are held, released in
 * fairness order (virtual token counter, interactive before batch) and expired. Pure like the policies: no
 * timers, time only from `fleet.now`. The gateway and the simulator drive it the same way:
 *
 *   submit(request, fleet)   on arrival: a placement now, or undefined (queued);
 *   next(fleet)              after anything that frees capacity (a completion, a state refresh, a tick):
 *                            call until it returns undefined, dispatching each placement;
 *   complete(...)            when a request finishes.
 *
 * `onDispatch` of the policy is called here for every route placement; the caller must not call it again.
 */
export class Scheduler {
  readonly policy: RoutingPolicy;
  readonly fairness: VirtualTokenCounter;
  readonly #queue: AdmissionQueue;
  readonly #maxQueued: number;
  readonly #maxWaitMs: (request: RequestFeatures) => number;
  /** Mean time between dispatches (EWMA, ms), for the retry-after of queue-full rejections. */
  #dispatchIntervalMs = 100;
  #lastDispatchMs: number | undefined;

  constructor(policy: RoutingPolicy, options: SchedulerOptions = {}) {
    this.policy = policy;
    this.fairness = new VirtualTokenCounter(options.fairness);
    this.#queue = new AdmissionQueue(this.fairness);
    this.#maxQueued = options.maxQueued ?? 1024;
    this.#maxWaitMs =
      options.maxWaitMs ?? ((r) => r.slo.ttftMs ?? (r.priority === 'batch' ? 600_000 : 60_000));
  }

  get queued(): number {
    return this.#queue.size;
  }

  submit(request: RequestFeatures, fleet: FleetView): Placement | undefined {
    // Requests already waiting at this priority or above go first: a new arrival does not overtake them.
    const head = this.#queue.peek();
    const mustWait = head !== undefined && (head.priority === 'interactive' || request.priority === 'batch');
    if (!mustWait) {
      const decision = this.policy.decide(request, fleet);
      if (decision.kind === 'route') return this.#routed(request, decision, fleet.now);
      if (decision.kind === 'reject') return { kind: 'reject', request, reason: decision.reason, retryAfterMs: decision.retryAfterMs };
    }
    if (this.#queue.size >= this.#maxQueued) {
      return {
        kind: 'reject',
        request,
        reason: `queue full (${this.#maxQueued} waiting)`,
        retryAfterMs: this.#retryAfter(),
      };
    }
    this.#queue.push(request);
    return undefined;
  }

  /** The next placement out of the queue, or undefined when nothing more can be placed now. */
  next(fleet: FleetView): Placement | undefined {
    for (const request of this.#queue.all()) {
      if (fleet.now - request.arrivalMs > this.#maxWaitMs(request)) {
        this.#queue.remove(request);
        return { kind: 'reject', request, reason: 'waited past its latency objective', retryAfterMs: this.#retryAfter() };
      }
    }
    // Fairness order first; a head the policy cannot place yet (say, a long prompt while replicas are busy)
    // does not block another tenant's that fits: work-conserving, as VTC dispatches whatever fits.
    for (const head of this.#queue.heads(MAX_HEADS_TRIED)) {
      const decision = this.policy.decide(head, fleet);
      if (decision.kind === 'queue') continue;
      this.#queue.remove(head);
      if (decision.kind === 'reject') return { kind: 'reject', request: head, reason: decision.reason, retryAfterMs: decision.retryAfterMs };
      return this.#routed(head, decision, fleet.now);
    }
    return undefined;
  }

  complete(request: RequestFeatures, replicaId: string, now: number, outcome: CompletionOutcome): void {
    this.fairness.chargeCompletion(request.tenant, request.maxOutputTokens, outcome.outputTokens ?? request.maxOutputTokens);
    this.policy.onComplete?.(request, replicaId, now, outcome);
  }

  #routed(request: RequestFeatures, decision: Decision & { kind: 'route' }, now: number): Placement {
    this.fairness.chargeDispatch(request.tenant, request.promptTokens, request.maxOutputTokens);
    this.policy.onDispatch?.(request, decision.replicaId, now);
    if (this.#lastDispatchMs !== undefined) {
      this.#dispatchIntervalMs = 0.9 * this.#dispatchIntervalMs + 0.1 * Math.max(0, now - this.#lastDispatchMs);
    }
    this.#lastDispatchMs = now;
    return { kind: 'route', request, replicaId: decision.replicaId, decision };
  }

  /** Time for the queue ahead to drain at the recent dispatch rate, 1 s to 60 s. */
  #retryAfter(): number {
    return Math.round(Math.min(60_000, Math.max(1000, this.#queue.size * this.#dispatchIntervalMs)));
  }
}
