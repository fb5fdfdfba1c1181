import type { RoutingPolicy, RequestFeatures } from '../spec/routing.js';
import type { Slo } from '../spec/request.js';
import type { SimPool } from './pool.js';
import type { EngineFactory } from './replica-set.js';

/** Options and records of the event loop (src/sim/loop.ts). */
export interface QueueOptions {
  /** Most requests held at once; a `queue` decision beyond it is a rejection ("queue full"). */
  capacity: number;
  /** A held request older than this is rejected ("queue timeout"). Must be finite so the run ends. */
  timeoutMs: number;
  /** How often held requests are re-offered to the policy when nothing else frees capacity. */
  retryMs: number;
}

export interface LoopOptions {
  pools: readonly SimPool[];
  createEngine: EngineFactory;
  policy: RoutingPolicy;
  slo: Slo;
  queue: QueueOptions;
  /** Give policies a precise prefix index from the engines' KV events (FleetView.prefix). */
  preciseIndex: boolean;
  /** Called every few thousand events with the number of arrivals so far. */
  onProgress?: (arrived: number) => void;
  /** Keep one record per request (for agreement tests against the emulator); off for large runs. */
  recordRequests?: boolean;
}

/** How one request went, when `recordRequests` is on. Times are virtual ms; NaN where it never got there. */
export interface RequestRecord {
  /** Position in the workload (arrival order). */
  index: number;
  outcome: 'completed' | 'rejected' | 'aborted';
  /** Replica id, or '' when rejected. */
  replica: string;
  arrivalMs: number;
  firstTokenMs: number;
  finishMs: number;
  promptTokens: number;
  cachedTokens: number;
  outputTokens: number;
  /** The policy's reason, for rejections. */
  reason?: string;
}

/** What is known of a request between its arrival and its end. */
export interface Live {
  features: RequestFeatures;
  /** The workload named no model: every replica is a candidate. */
  anyModel: boolean;
  firstTokenMs: number;
}
