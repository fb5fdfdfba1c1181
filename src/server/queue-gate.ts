import type { CancelSignal } from '../spec/cancel.js';
import type { Clock } from '../spec/clock.js';
import type { ReplicaState } from '../spec/replica.js';
import type { RequestFeatures, RoutingPolicy } from '../spec/routing.js';
import type { Fleet } from '../fleet/fleet.js';
import type { ModelRoute } from '../router/router.js';
import { Scheduler, type Placement } from '../scheduler/scheduler.js';

/** How often held requests are offered to the policy again when nothing else frees capacity. */
const TICK_MS = 20;

interface Waiter {
  resolve(placement: Placement): void;
}

/**
 * The gateway's side of `Scheduler` (src/scheduler/scheduler.ts): one scheduler per public model, all
 * sharing the gateway's policy, so requests the policy cannot place yet wait in one bounded queue and leave
 * it in fairness order — interactive before batch, then the tenant with the smallest virtual token counter
 * (Sheng et al., OSDI 2024) — instead of each polling on its own and the luckiest winning.
 *
 * `place` is the first placement of a request on a model: at once when the policy routes or rejects it,
 * otherwise when capacity frees (a request ends, or the tick) or its wait runs out.
 */
export class QueueGate {
  readonly #schedulers = new Map<string, { scheduler: Scheduler; model: ModelRoute }>();
  readonly #waiters = new Map<RequestFeatures, Waiter>();
  readonly #candidates: ReplicaState[] = [];
  readonly #empty = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #draining = false;

  constructor(
    private readonly fleet: Fleet,
    private readonly policy: RoutingPolicy,
    private readonly clock: Clock,
    private readonly maxQueueMs: number,
    private readonly maxQueued = 1024,
  ) {}

  scheduler(model: ModelRoute): Scheduler {
    let entry = this.#schedulers.get(model.name);
    if (entry === undefined) {
      const scheduler = new Scheduler(this.policy, { maxQueued: this.maxQueued, maxWaitMs: () => this.maxQueueMs });
      entry = { scheduler, model };
      this.#schedulers.set(model.name, entry);
    }
    return entry.scheduler;
  }

  async place(model: ModelRoute, request: RequestFeatures, signal: CancelSignal): Promise<Placement> {
    const scheduler = this.scheduler(model);
    const now = this.clock.now();
    const placement = scheduler.submit(request, this.fleet.view(now, this.#view(model)));
    if (placement !== undefined) return placement;
    return new Promise<Placement>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters.delete(request);
        scheduler.cancel(request);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.set(request, {
        resolve: (p) => {
          signal.removeEventListener('abort', onAbort);
          resolve(p);
        },
      });
      this.#arm();
    });
  }

  /** Capacity may have freed (a request ended): offer held requests to the policy. */
  release(): void {
    if (this.#waiters.size > 0) queueMicrotask(() => this.#drain());
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    // Kept referenced: it runs only while requests wait, and each of them is a promise someone awaits.
    this.#timer = setInterval(() => this.#drain(), TICK_MS);
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (const { scheduler, model } of this.#schedulers.values()) {
        while (scheduler.queued > 0) {
          const placement = scheduler.next(this.fleet.view(this.clock.now(), this.#view(model)));
          if (placement === undefined) break;
          const waiter = this.#waiters.get(placement.request);
          this.#waiters.delete(placement.request);
          waiter?.resolve(placement);
        }
      }
    } finally {
      this.#draining = false;
    }
    if (this.#waiters.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #view(model: ModelRoute): ReplicaState[] {
    this.#candidates.length = 0;
    return this.fleet.candidates(model.pools, this.#empty, this.#candidates);
  }
}
