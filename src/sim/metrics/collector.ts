import type { Slo } from '../../spec/request.js';
import { Samples } from './samples.js';
import { Timeline } from './timeline.js';

const MAX_REASONS = 32;

export interface PoolCounters {
  routed: number;
  completed: number;
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
}

/**
 * Accumulates per-request outcomes as they happen: latency samples in typed arrays, counters, and the SLO
 * verdict. A request meets its SLO when TTFT ≤ the TTFT objective and TPOT ≤ the TPOT objective (an unset
 * objective always holds; a one-token answer has no TPOT). Rejected and aborted requests are misses.
 */
export class Collector {
  readonly ttft = new Samples(4096);
  readonly tpot = new Samples(4096);
  readonly e2e = new Samples(4096);
  readonly timeline: Timeline;
  readonly pools: PoolCounters[];
  readonly rejectReasons = new Map<string, number>();
  readonly #ttftSlo: number;
  readonly #tpotSlo: number;
  arrived = 0;
  completed = 0;
  rejected = 0;
  aborted = 0;
  queued = 0;
  met = 0;
  preemptions = 0;
  inputTokens = 0;
  cachedTokens = 0;
  outputTokens = 0;
  firstArrivalMs = Infinity;
  lastArrivalMs = 0;

  constructor(replicasPerPool: readonly number[], slo: Slo) {
    this.timeline = new Timeline(replicasPerPool);
    this.pools = replicasPerPool.map(() => ({ routed: 0, completed: 0, inputTokens: 0, cachedTokens: 0, outputTokens: 0 }));
    this.#ttftSlo = slo.ttftMs ?? Infinity;
    this.#tpotSlo = slo.tpotMs ?? Infinity;
  }

  arrive(atMs: number): void {
    this.arrived++;
    if (atMs < this.firstArrivalMs) this.firstArrivalMs = atMs;
    if (atMs > this.lastArrivalMs) this.lastArrivalMs = atMs;
  }

  /**
   * Counts a rejection under its reason with the numbers taken out ("best TTFT 1006 ms of -1012 ms left" and
   * "… 1024 ms of -986 ms left" are one reason), so a policy that explains itself per request still yields a
   * short table. Past MAX_REASONS distinct reasons the rest count as "other".
   */
  reject(reason: string): void {
    this.rejected++;
    let key = reason.replace(/-?\d+(?:\.\d+)?/g, 'N').trim() || 'unspecified';
    if (!this.rejectReasons.has(key) && this.rejectReasons.size >= MAX_REASONS) key = 'other';
    this.rejectReasons.set(key, (this.rejectReasons.get(key) ?? 0) + 1);
  }

  /** Returns whether the request met its SLO. */
  finish(pool: number, arrivalMs: number, firstTokenMs: number, finishMs: number, prompt: number, cached: number, output: number): boolean {
    const ttft = firstTokenMs - arrivalMs;
    this.ttft.add(ttft);
    this.e2e.add(finishMs - arrivalMs);
    let tpot = 0;
    if (output > 1) {
      tpot = (finishMs - firstTokenMs) / (output - 1);
      this.tpot.add(tpot);
    }
    this.completed++;
    this.inputTokens += prompt;
    this.cachedTokens += cached;
    this.outputTokens += output;
    const counters = this.pools[pool] as PoolCounters;
    counters.completed++;
    counters.inputTokens += prompt;
    counters.cachedTokens += cached;
    counters.outputTokens += output;
    const met = ttft <= this.#ttftSlo && tpot <= this.#tpotSlo;
    if (met) this.met++;
    return met;
  }
}
