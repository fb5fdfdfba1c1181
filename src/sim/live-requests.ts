import type { EngineEvent } from '../engine/types.js';
import type { RequestFeatures, RoutingPolicy } from '../spec/routing.js';
import type { Slo } from '../spec/request.js';
import type { Collector } from './metrics/collector.js';
import type { Live, RequestRecord } from './loop-types.js';
import type { ReplicaSet } from './replica-set.js';
import type { SimRequest } from './types.js';

type Finished = Extract<EngineEvent, { type: 'finished' }>;

/**
 * Every request between its arrival and its end, and what happens when it ends: the collector's counters,
 * the optional per-request record, and the policy's completion feedback. The event loop (loop.ts) decides
 * when things happen; this decides what a request's ending means.
 */
export class LiveRequests {
  /** Per-request records, when asked for. */
  readonly records: RequestRecord[] | undefined;
  /**
   * By workload index. A dense array (indices arrive in order) rather than a Map: cheaper to fill and read,
   * and a million slots cost 8 MB.
   */
  readonly #live: (Live | undefined)[] = [];
  readonly #collector: Collector;
  readonly #replicas: ReplicaSet;
  readonly #policy: RoutingPolicy;
  readonly #slo: Slo;
  readonly #defaultModel: string;

  constructor(collector: Collector, replicas: ReplicaSet, policy: RoutingPolicy, slo: Slo, defaultModel: string, record: boolean) {
    this.#collector = collector;
    this.#replicas = replicas;
    this.#policy = policy;
    this.#slo = slo;
    this.#defaultModel = defaultModel;
    this.records = record ? [] : undefined;
  }

  /** Registers an arrival and returns what the policy will see of it. */
  arrive(index: number, request: SimRequest): Live {
    this.#collector.arrive(request.arrivalMs);
    const features: RequestFeatures = {
      id: String(index),
      // Traces name no model: the request is for whatever the fleet serves (its first pool's model).
      model: request.model ?? this.#defaultModel,
      tenant: request.tenant ?? 'default',
      priority: request.priority ?? 'interactive',
      slo: this.#slo,
      promptTokens: request.promptTokens,
      maxOutputTokens: request.outputTokens,
      blockHashes: request.blockHashes,
      blockTokens: request.blockTokens,
      arrivalMs: request.arrivalMs,
    };
    const live: Live = { features, anyModel: request.model === undefined, firstTokenMs: NaN };
    this.#live[index] = live;
    return live;
  }

  get(index: number): Live | undefined {
    return this.#live[index];
  }

  firstToken(index: number, atMs: number): void {
    const live = this.#live[index];
    if (live !== undefined && Number.isNaN(live.firstTokenMs)) live.firstTokenMs = atMs;
  }

  reject(index: number, reason: string): void {
    const live = this.#live[index];
    this.#live[index] = undefined;
    this.#collector.reject(reason);
    if (this.records !== undefined && live !== undefined) {
      const f = live.features;
      this.records.push({ index, outcome: 'rejected', replica: '', arrivalMs: f.arrivalMs, firstTokenMs: NaN, finishMs: NaN, promptTokens: f.promptTokens, cachedTokens: 0, outputTokens: 0, reason });
    }
  }

  /** The engine of `replica` finished (or aborted) request `index`. */
  finish(index: number, replica: number, event: Finished): void {
    const live = this.#live[index];
    if (live === undefined) return;
    this.#live[index] = undefined;
    const c = this.#collector;
    c.preemptions += event.preemptions;
    if (event.aborted) {
      c.aborted++;
    } else {
      const first = Number.isNaN(live.firstTokenMs) ? event.atMs : live.firstTokenMs;
      const pool = this.#replicas.poolOf[replica] as number;
      c.finish(pool, live.features.arrivalMs, first, event.atMs, event.promptTokens, event.cachedTokens, event.outputTokens);
    }
    const id = (this.#replicas.states[replica] as { id: string }).id;
    this.records?.push({
      index,
      outcome: event.aborted ? 'aborted' : 'completed',
      replica: id,
      arrivalMs: live.features.arrivalMs,
      firstTokenMs: live.firstTokenMs,
      finishMs: event.atMs,
      promptTokens: event.promptTokens,
      cachedTokens: event.cachedTokens,
      outputTokens: event.outputTokens,
    });
    // Observed latencies let a policy correct its estimates (CompletionOutcome.ttftMs / tpotMs).
    const firstMs = Number.isNaN(live.firstTokenMs) ? event.atMs : live.firstTokenMs;
    this.#policy.onComplete?.(live.features, id, event.atMs, {
      ok: !event.aborted,
      promptTokens: event.promptTokens,
      outputTokens: event.outputTokens,
      ...(event.aborted ? {} : { ttftMs: firstMs - live.features.arrivalMs }),
      ...(event.aborted || event.outputTokens < 2 ? {} : { tpotMs: (event.atMs - firstMs) / (event.outputTokens - 1) }),
    });
  }
}
