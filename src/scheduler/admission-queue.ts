import type { RequestFeatures } from '../spec/routing.js';
import type { VirtualTokenCounter } from './fairness.js';

/**
 * The requests waiting for capacity: one FIFO per (priority, tenant). The next request is the oldest of the
 * backlogged tenant with the smallest virtual token counter, interactive before batch always: batch work
 * only backfills (design.md, "The scheduler").
 */
export class AdmissionQueue {
  readonly #classes = { interactive: new Map<string, RequestFeatures[]>(), batch: new Map<string, RequestFeatures[]>() };
  readonly #fairness: VirtualTokenCounter;
  #size = 0;

  constructor(fairness: VirtualTokenCounter) {
    this.#fairness = fairness;
  }

  get size(): number {
    return this.#size;
  }

  /** Queued requests of a tenant (any priority). */
  backlog(tenant: string): number {
    return (this.#classes.interactive.get(tenant)?.length ?? 0) + (this.#classes.batch.get(tenant)?.length ?? 0);
  }

  push(request: RequestFeatures): void {
    const tenants = this.#classes[request.priority];
    if (this.backlog(request.tenant) === 0) this.#fairness.lift(request.tenant, this.#backloggedTenants());
    let fifo = tenants.get(request.tenant);
    if (fifo === undefined) {
      fifo = [];
      tenants.set(request.tenant, fifo);
    }
    fifo.push(request);
    this.#size++;
  }

  /** The request that should be placed next, without removing it. */
  peek(): RequestFeatures | undefined {
    return this.#head('interactive') ?? this.#head('batch');
  }

  /**
   * The head of every backlogged (priority, tenant) queue in the order they should be placed: interactive
   * before batch, then by virtual token counter, then by arrival. `Scheduler.next` walks it so that one
   * tenant's head that does not fit yet (a long prompt) does not block another's that does.
   */
  heads(limit: number): RequestFeatures[] {
    const out: RequestFeatures[] = [];
    for (const priority of ['interactive', 'batch'] as const) {
      const heads: { request: RequestFeatures; counter: number }[] = [];
      for (const [tenant, fifo] of this.#classes[priority]) {
        const head = fifo[0];
        if (head !== undefined) heads.push({ request: head, counter: this.#fairness.counter(tenant) });
      }
      heads.sort((a, b) => a.counter - b.counter || a.request.arrivalMs - b.request.arrivalMs);
      for (const { request } of heads) {
        if (out.length >= limit) return out;
        out.push(request);
      }
    }
    return out;
  }

  /** Removes a request (placed, rejected or expired). */
  remove(request: RequestFeatures): boolean {
    const tenants = this.#classes[request.priority];
    const fifo = tenants.get(request.tenant);
    const at = fifo?.indexOf(request) ?? -1;
    if (fifo === undefined || at < 0) return false;
    fifo.splice(at, 1);
    if (fifo.length === 0) tenants.delete(request.tenant);
    this.#size--;
    return true;
  }

  /** Every queued request, oldest first within each tenant (for expiry sweeps). */
  *all(): Generator<RequestFeatures> {
    for (const tenants of [this.#classes.interactive, this.#classes.batch]) {
      for (const fifo of tenants.values()) yield* fifo;
    }
  }

  #head(priority: 'interactive' | 'batch'): RequestFeatures | undefined {
    let best: RequestFeatures | undefined;
    let bestCounter = Infinity;
    for (const [tenant, fifo] of this.#classes[priority]) {
      const counter = this.#fairness.counter(tenant);
      const head = fifo[0];
      // Ties between equal counters go to the earlier arrival, so equal tenants interleave FCFS.
      if (head !== undefined && (counter < bestCounter || (counter === bestCounter && best !== undefined && head.arrivalMs < best.arrivalMs))) {
        best = head;
        bestCounter = counter;
      }
    }
    return best;
  }

  *#backloggedTenants(): Generator<string> {
    yield* this.#classes.interactive.keys();
    for (const tenant of this.#classes.batch.keys()) if (!this.#classes.interactive.has(tenant)) yield tenant;
  }
}
