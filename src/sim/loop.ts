import type { EngineEvent, EngineRequest, StepResult } from '../engine/types.js';
import type { FleetView } from '../spec/routing.js';
import { EventHeap } from './heap.js';
import { Collector } from './metrics/collector.js';
import { LiveRequests } from './live-requests.js';
import type { Live, LoopOptions, RequestRecord } from './loop-types.js';
import { ReplicaSet } from './replica-set.js';
import { RequestQueue } from './request-queue.js';
import { SimInputError, type SimRequest } from './types.js';

const STEP_END = 0;
const WAKE = 1;
const RETRY = 2;

/**
 * The discrete-event loop. Arrivals come from the workload in order; engine steps, wake-ups and queue
 * retries sit in a binary heap keyed by (virtual time, sequence number), so each event costs O(log n) and
 * equal times resolve the same way every run. Arrivals at time t are handled before heap events at t, so a
 * step starting at t sees every request that arrived at t. Engines are stepped per the contract in
 * src/engine/types.ts: step(now) when the previous step ends, events applied at its end.
 */
export class SimulationLoop {
  readonly replicas: ReplicaSet;
  readonly collector: Collector;
  readonly #options: LoopOptions;
  readonly #heap = new EventHeap(4096);
  readonly #queue: RequestQueue;
  readonly #live: LiveRequests;
  readonly #view: { now: number; replicas: FleetView['replicas']; prefix?: FleetView['prefix'] };
  readonly #idle: Uint32Array;
  #seq = 0;
  #retryPending = false;
  #now = 0;

  constructor(options: LoopOptions) {
    this.#options = options;
    this.replicas = new ReplicaSet(options.pools, options.createEngine, options.preciseIndex);
    this.collector = new Collector(options.pools.map((p) => p.replicas), options.slo);
    this.#queue = new RequestQueue(options.queue.capacity);
    this.#idle = new Uint32Array(this.replicas.size);
    this.#live = new LiveRequests(this.collector, this.replicas, options.policy, options.slo, options.pools[0]?.model ?? '', options.recordRequests === true);
    const prefix = this.replicas.preciseIndex;
    this.#view = prefix === undefined ? { now: 0, replicas: [] } : { now: 0, replicas: [], prefix };
  }

  /** Per-request records, when asked for. */
  get records(): RequestRecord[] | undefined {
    return this.#live.records;
  }

  /** Virtual time of the last event handled: the end of the simulation once `run` returns. */
  get nowMs(): number {
    return this.#now;
  }

  /** `pull` returns the next request in arrival order, or undefined when the workload is exhausted. */
  run(pull: () => SimRequest | undefined): void {
    let next = pull();
    let index = 0;
    let lastArrival = -Infinity;
    let events = 0;
    const heap = this.#heap;
    const { onProgress } = this.#options;
    while (next !== undefined || heap.size > 0) {
      if (next !== undefined && next.arrivalMs <= heap.peekTime()) {
        if (!(next.arrivalMs >= lastArrival)) {
          throw new SimInputError(`request ${index} arrives at ${next.arrivalMs} ms, before request ${index - 1} (${lastArrival} ms): workloads must be in arrival order`);
        }
        lastArrival = next.arrivalMs;
        this.#now = next.arrivalMs;
        this.#arrive(index++, next);
        next = pull();
      } else {
        const time = heap.peekTime();
        const kind = heap.peekKind();
        const payload = heap.peekPayload();
        heap.pop();
        this.#now = time;
        if (kind === STEP_END) this.#stepEnded(payload, time);
        else if (kind === WAKE) this.#step(payload, time);
        else this.#retry(time);
      }
      if (onProgress !== undefined && (++events & 8191) === 0) onProgress(index);
    }
    onProgress?.(index);
  }

  #arrive(index: number, request: SimRequest): void {
    const live = this.#live.arrive(index, request);
    if (this.#queue.length > 0) this.#drain(request.arrivalMs);
    this.#offer(index, live, request.arrivalMs, false);
  }

  /** Asks the policy; returns false when the request should stay (or be put) in the queue. */
  #offer(index: number, live: Live, now: number, fromQueue: boolean): boolean {
    this.#view.now = now;
    this.#view.replicas = this.replicas.candidates(live.anyModel ? undefined : live.features.model);
    const decision = this.#options.policy.decide(live.features, this.#view as FleetView);
    if (decision.kind === 'route') {
      const replica = this.replicas.indexOf(decision.replicaId);
      if (replica === undefined) throw new Error(`policy ${this.#options.policy.name} routed to unknown replica "${decision.replicaId}"`);
      this.#dispatch(index, live, replica, now);
      return true;
    }
    if (decision.kind === 'reject') {
      this.#live.reject(index, decision.reason);
      return true;
    }
    if (fromQueue) return false;
    if (!this.#queue.push(index, now)) {
      this.#live.reject(index, 'queue full');
      return true;
    }
    this.collector.queued++;
    this.collector.timeline.queued(now, this.#queue.length);
    this.#ensureRetry(now);
    return false;
  }

  #dispatch(index: number, live: Live, replica: number, now: number): void {
    const f = live.features;
    const request: EngineRequest = {
      id: f.id,
      promptTokens: f.promptTokens,
      blockHashes: f.blockHashes,
      hashBlockTokens: f.blockTokens,
      outputTokens: f.maxOutputTokens,
      priority: f.priority === 'interactive' ? 0 : 1,
      arrivalMs: f.arrivalMs,
    };
    const engine = this.replicas.engines[replica];
    if (engine === undefined) throw new Error(`replica ${replica} out of range (${index})`);
    if (Number.isNaN(this.replicas.firstAddMs[replica] as number)) this.replicas.firstAddMs[replica] = now;
    try {
      engine.add(request, now);
    } catch (error) {
      // The engine refuses requests it cannot represent (e.g. hash blocks that are not a multiple of its
      // block size): a property of the input, so report it as one, naming the pool.
      const pool = this.#options.pools[this.replicas.poolOf[replica] as number];
      throw new SimInputError(`pool ${pool?.name ?? replica}: ${(error as Error).message}`);
    }
    const pool = this.replicas.poolOf[replica] as number;
    (this.collector.pools[pool] as { routed: number }).routed++;
    this.#options.policy.onDispatch?.(f, (this.replicas.states[replica] as { id: string }).id, now);
    if (this.replicas.stepping[replica] === 0) {
      this.replicas.stepping[replica] = 1;
      this.#heap.push(now, this.#seq++, WAKE, replica);
    }
    this.replicas.refresh(replica, now);
  }

  /** Starts the replica's next step, or marks it idle when it has nothing to do. */
  #step(replica: number, now: number): void {
    const engine = this.replicas.engines[replica];
    if (engine === undefined || !engine.hasWork()) {
      this.replicas.stepping[replica] = 0;
      this.replicas.inFlight[replica] = undefined;
      return;
    }
    const result = engine.step(now, this.replicas.stepResults[replica]);
    if (!(result.endMs > now) && result.events.length === 0 && result.prefillTokens + result.decodeTokens === 0) {
      // An engine that neither advances time nor makes progress would spin forever.
      if (++(this.#idle[replica] as number) > 1000) throw new Error(`engine of replica ${replica} made no progress at ${now} ms`);
    } else this.#idle[replica] = 0;
    this.replicas.inFlight[replica] = result;
    this.replicas.refresh(replica, now);
    const pool = this.replicas.poolOf[replica] as number;
    this.collector.timeline.busy(pool, result.startMs, result.endMs);
    this.collector.timeline.waiting(pool, now, this.replicas.poolWaiting[pool] as number);
    this.#heap.push(result.endMs, this.#seq++, STEP_END, replica);
  }

  #stepEnded(replica: number, now: number): void {
    const result = this.replicas.inFlight[replica] as StepResult;
    let freed = false;
    const events = result.events;
    for (let k = 0; k < events.length; k++) freed = this.#apply(replica, events[k] as EngineEvent) || freed;
    // Held requests go first, so any placed on this replica join the step that starts now.
    if (freed && this.#queue.length > 0) this.#drain(now);
    this.#step(replica, now);
  }

  /** Returns true when the event freed capacity (a request finished). */
  #apply(replica: number, event: EngineEvent): boolean {
    switch (event.type) {
      case 'first-token':
        this.#live.firstToken(Number(event.id), event.atMs);
        return false;
      case 'finished':
        this.#live.finish(Number(event.id), replica, event);
        return true;
      case 'kv-stored':
      case 'kv-removed':
      case 'kv-cleared':
        this.replicas.applyKv(replica, event);
        return false;
      default:
        return false;
    }
  }

  /** Re-offers held requests in FIFO order until the head has to wait again. */
  #drain(now: number): void {
    const queue = this.#queue;
    const { timeoutMs } = this.#options.queue;
    while (queue.length > 0) {
      const index = queue.peek();
      const live = this.#live.get(index) as Live;
      if (now - queue.peekSince() > timeoutMs) {
        queue.shift();
        this.#live.reject(index, 'queue timeout');
        continue;
      }
      if (!this.#offer(index, live, now, true)) break;
      queue.shift();
    }
    this.collector.timeline.queued(now, queue.length);
    if (queue.length > 0) this.#ensureRetry(now);
  }

  #ensureRetry(now: number): void {
    if (this.#retryPending) return;
    this.#retryPending = true;
    const deadline = this.#queue.peekSince() + this.#options.queue.timeoutMs;
    this.#heap.push(Math.min(now + this.#options.queue.retryMs, Math.max(now, deadline) + 1e-6), this.#seq++, RETRY, 0);
  }

  #retry(now: number): void {
    this.#retryPending = false;
    if (this.#queue.length > 0) this.#drain(now);
  }
}
