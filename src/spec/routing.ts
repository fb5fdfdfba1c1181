import type { Priority, Slo } from './request.js';
import type { ReplicaState } from './replica.js';

/** What the scheduler knows of a request before it runs. */
export interface RequestFeatures {
  id: string;
  /** Public model name. */
  model: string;
  tenant: string;
  priority: Priority;
  slo: Slo;
  /** Prompt tokens, counted or estimated. */
  promptTokens: number;
  /** The client's output cap (max_tokens), or the model's default. */
  maxOutputTokens: number;
  /**
   * Chained hashes of the prompt's leading full blocks: equal hash at equal position means an equal prefix
   * up to and including that block (Mooncake's `hash_ids`, llm-d's approximate index).
   */
  blockHashes: readonly number[];
  /** Tokens per hashed block (512 for Mooncake traces; the engine's block size live). */
  blockTokens: number;
  arrivalMs: number;
}

/** Longest cached prefix per replica, from KV events (precise) or from routing history (approximate). */
export interface PrefixLookup {
  /** Number of leading blocks of `hashes` held on the replica. */
  matchedBlocks(replicaId: string, hashes: readonly number[]): number;
}

export interface FleetView {
  now: number;
  /**
   * The candidates for this request: replicas serving its model, healthy or not (policies skip unhealthy
   * ones themselves, so they can explain a rejection).
   */
  replicas: readonly ReplicaState[];
  /** A precise prefix index when the fleet has one; policies otherwise keep their own approximate one. */
  prefix?: PrefixLookup;
}

export interface RouteEstimate {
  ttftMs?: number;
  tpotMs?: number;
  costUsd?: number;
  energyJ?: number;
  cachedTokens?: number;
}

export type Decision =
  | { kind: 'route'; replicaId: string; reason: string; estimate?: RouteEstimate }
  | { kind: 'queue'; reason: string }
  | { kind: 'reject'; reason: string; retryAfterMs: number };

export interface CompletionOutcome {
  ok: boolean;
  promptTokens?: number;
  outputTokens?: number;
  /** Observed time to first token, ms: lets a policy learn how far its estimates are off. */
  ttftMs?: number;
  /** Observed mean time per output token after the first, ms. */
  tpotMs?: number;
}

/**
 * A routing policy: filter → estimate → score → pick. Pure apart from its own bookkeeping (approximate
 * prefix index, round-robin cursor, fairness counters), and it reads time only from `fleet.now`.
 */
export interface RoutingPolicy {
  readonly name: string;
  decide(request: RequestFeatures, fleet: FleetView): Decision;
  /** The request was dispatched to `replicaId` (after a route decision, or from a queue). */
  onDispatch?(request: RequestFeatures, replicaId: string, now: number): void;
  /** The request finished on `replicaId`, successfully or not. */
  onComplete?(request: RequestFeatures, replicaId: string, now: number, outcome: CompletionOutcome): void;
}
