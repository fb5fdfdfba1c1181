import type { ReplicaState } from '../../spec/replica.js';
import type { CompletionOutcome, Decision, FleetView, RequestFeatures, RoutingPolicy } from '../../spec/routing.js';
import { EstimateCorrections, type ReplicaFactors } from '../corrections.js';
import { ReplicaModels } from '../estimates.js';
import { type LoadCell, PrefillLoad } from '../prefill-load.js';
import { estimateReplica, type EstimateContext, type ReplicaEstimate } from './switchyard-estimate.js';
import { noHealthyReplica } from './no-healthy-replica.js';
import { PrefixSource } from './prefix-source.js';

/**
 * Switchyard's own policy: the cheapest replica that still meets the request's latency objective.
 *
 * Filter → estimate → score → pick (design.md, "The scheduler"; Mooncake's Conductor, FAST'25 Alg. 1, for
 * the TTFT estimate and the reject-when-infeasible rule; reference/scheduling.md §8):
 *
 * 1. estimate per replica, from the engine model's roofline for its hardware (switchyard-estimate.ts):
 *    TTFT = queued prefill work + this prompt's uncached part (prefix hits make it smaller, so affinity
 *    falls out of the estimate) + a wait for a batch slot; TPOT = the mean step at its batch with this
 *    request added, prefill chunks included; the risk that chunk steps break a short answer's TPOT; how far
 *    this prompt would stall the sequences already decoding there; KV headroom;
 * 2. drop replicas that would miss the objective, with a safety margin and a per-replica correction learned
 *    from observed TTFT/TPOT (onComplete), that put its TPOT or its neighbours' at risk, or that lack KV
 *    room for the prompt and expected output;
 * 3. score the rest by marginal cost, $/h × the replica time the request takes (its prefill, plus its
 *    share of decode steps: one of the replica's concurrent slots for its decode time) plus an energy price
 *    × joules, scaled up as the estimated TTFT nears the objective so load spreads before it bites;
 * 4. pick the lowest: cheap pools first, dearer ones only when the cheap ones would miss the objective;
 * 5. none feasible: queue if waiting one objective's worth could fix it, otherwise reject with a
 *    retry-after; a prompt no replica could serve in time even idle goes best-effort to the fastest one
 *    while that one is not congested.
 *
 * Batch requests (`x-switchyard-priority: batch`) only backfill: they take a replica only while its TTFT
 * stays within `batchHeadroom` of the interactive objective and its batch and KV are not nearly full, and
 * otherwise queue (never reject), so they cannot push interactive requests past their objective.
 */
export interface SwitchyardOptions {
  /** Feasible iff estimate × (1 + margin) ≤ objective. */
  margin?: number;
  /** Energy price, $/J. Default $0.15/kWh. */
  usdPerJoule?: number;
  /** score = cost × (1 + latencyWeight × TTFT / TTFT objective + tpotWeight × TPOT / TPOT objective). */
  latencyWeight?: number;
  tpotWeight?: number;
  /** TPOT objective used for scoring when a request carries none. */
  referenceTpotMs?: number;
  /** Objective used for scoring and for batch headroom when a request carries none. */
  referenceTtftMs?: number;
  /** Batch work takes a replica only while its TTFT stays below this fraction of the reference objective. */
  batchHeadroom?: number;
  /** Learn per-replica corrections from observed latencies (on by default). */
  learn?: boolean;
  /** Largest acceptable probability of missing the TPOT objective (tpotRisk). */
  maxTpotRisk?: number;
  /** score × (1 + riskWeight × tpotRisk). */
  riskWeight?: number;
}

export class SwitchyardPolicy implements RoutingPolicy {
  readonly name = 'switchyard';
  readonly #options: Required<SwitchyardOptions>;
  readonly #models = new ReplicaModels();
  readonly #prefix = new PrefixSource();
  readonly corrections = new EstimateCorrections();
  readonly #prefillLoad = new PrefillLoad();
  readonly #scratch: ReplicaEstimate = blankEstimate();
  /**
   * Per candidate position, the state object last seen there and its live cells (prefill load, learned
   * factors): callers pass the same ReplicaState objects decision after decision, so the per-replica state
   * costs an identity check instead of keyed look-ups.
   */
  readonly #cells: ({ state: ReplicaState; load: LoadCell; factors: ReplicaFactors } | undefined)[] = [];
  readonly #best: ReplicaEstimate = blankEstimate();

  constructor(options: SwitchyardOptions = {}) {
    this.#options = {
      margin: options.margin ?? 0.15,
      usdPerJoule: options.usdPerJoule ?? 0.15 / 3.6e6,
      latencyWeight: options.latencyWeight ?? 1,
      tpotWeight: options.tpotWeight ?? 1,
      referenceTpotMs: options.referenceTpotMs ?? 100,
      referenceTtftMs: options.referenceTtftMs ?? 2000,
      batchHeadroom: options.batchHeadroom ?? 0.5,
      learn: options.learn ?? true,
      maxTpotRisk: options.maxTpotRisk ?? 0.25,
      riskWeight: options.riskWeight ?? 2,
    };
  }

  decide(request: RequestFeatures, fleet: FleetView): Decision {
    const o = this.#options;
    const lookup = this.#prefix.lookup(fleet);
    const waited = Math.max(0, fleet.now - request.arrivalMs);
    const ttftObjective = request.slo.ttftMs;
    const ttftBudget = ttftObjective === undefined ? Infinity : ttftObjective - waited;
    const tpotBudget = request.slo.tpotMs ?? Infinity;
    const reference = ttftObjective ?? o.referenceTtftMs;
    const tpotReference = request.slo.tpotMs ?? o.referenceTpotMs;
    const expectedOutput = this.#expectedOutput(request);
    const batch = request.priority === 'batch';
    const slack = 1 + o.margin;
    const context: EstimateContext = {
      expectedOutput,
      usdPerJoule: o.usdPerJoule,
      prefillShare: 0,
      factors: NEUTRAL_FACTORS,
      prefillTauMs: this.#prefillLoad.tauMs,
      tpotObjectiveMs: tpotBudget,
      typicalRemainingOutput: this.#typicalRemainingOutput(request),
    };

    const best = this.#best;
    let found = false;
    let anyHealthy = false;
    let fallback: ReplicaState | undefined; // unmodelled replicas (external APIs): least outstanding
    let fastest = Infinity; // lowest TTFT estimate over modelled replicas, feasible or not
    let fastestIdle = Infinity; // lowest TTFT of this prompt on an idle replica
    let fastestReplica: ReplicaState | undefined;
    let fastestCongested = true;
    const replicas = fleet.replicas;
    for (let position = 0; position < replicas.length; position++) {
      const replica = replicas[position] as ReplicaState;
      if (!replica.healthy) continue;
      anyHealthy = true;
      const model = this.#models.at(position, replica);
      if (model === null) {
        if (fallback === undefined || replica.running + replica.waiting < fallback.running + fallback.waiting) fallback = replica;
        continue;
      }
      const matched = lookup.matchedBlocks(replica.id, request.blockHashes);
      const cells = this.#cellsAt(position, replica);
      context.prefillShare = this.#prefillLoad.shareOf(cells.load, fleet.now);
      context.factors = cells.factors;
      const e = estimateReplica(this.#scratch, model, replica, request, matched, context);
      if (e.ttftMs < fastest) {
        fastest = e.ttftMs;
        fastestReplica = replica;
        fastestCongested = e.queueMs > 0.5 * reference;
      }
      if (e.idleTtftMs < fastestIdle) fastestIdle = e.idleTtftMs;
      let feasible =
        e.kvFits &&
        e.ttftMs * slack <= ttftBudget &&
        e.tpotMs * slack <= tpotBudget &&
        e.tpotRisk <= o.maxTpotRisk &&
        e.stallLoad <= 1;
      if (feasible && batch) {
        feasible =
          e.ttftMs * slack <= o.batchHeadroom * reference &&
          replica.running + replica.waiting < 0.8 * replica.maxRunning &&
          replica.kvUsage < 0.8;
      }
      if (!feasible) continue;
      e.score =
        e.costUsd *
        (1 + (o.latencyWeight * e.ttftMs) / reference + (o.tpotWeight * e.tpotMs) / tpotReference) *
        (1 + o.riskWeight * e.tpotRisk + e.stallLoad);
      if (!found || e.score < best.score) {
        Object.assign(best, e);
        best.replica = replica;
        found = true;
      }
    }

    if (found && best.replica !== undefined) return this.#route(request, best.replica, best, fleet, 'cheapest within objective');
    if (!anyHealthy) return noHealthyReplica();
    if (fallback !== undefined) {
      return { kind: 'route', replicaId: fallback.id, reason: 'no modelled replica meets the objective: unmodelled replica, least outstanding' };
    }
    if (batch) return { kind: 'queue', reason: 'batch work waits for idle capacity' };
    if (ttftObjective === undefined && request.slo.tpotMs === undefined && fastestReplica !== undefined) {
      return this.#routeTo(request, fastestReplica, fleet, 'no objective and no KV room anywhere: fastest replica');
    }
    if (ttftObjective !== undefined && fastestIdle * slack > ttftObjective && fastestReplica !== undefined) {
      if (!fastestCongested) {
        return this.#routeTo(request, fastestReplica, fleet, 'best effort: no replica meets the objective for this prompt even idle');
      }
      return {
        kind: 'reject',
        reason: 'no replica can prefill this prompt within the objective, and the fastest is busy',
        retryAfterMs: clampRetry(fastest - fastestIdle),
      };
    }
    if (fastest <= ttftBudget + reference) {
      return { kind: 'queue', reason: 'every replica would miss the objective now; waiting for capacity' };
    }
    // Stable reason strings: callers count rejections by reason.
    return { kind: 'reject', reason: 'every replica would miss the latency objective', retryAfterMs: clampRetry(fastest - ttftBudget) };
  }

  /** Routes to a replica chosen outside the feasible set, re-estimating it for the record. */
  #routeTo(request: RequestFeatures, replica: ReplicaState, fleet: FleetView, why: string): Decision {
    const model = this.#models.get(replica);
    if (model === null) return { kind: 'route', replicaId: replica.id, reason: why };
    const matched = this.#prefix.lookup(fleet).matchedBlocks(replica.id, request.blockHashes);
    const e = estimateReplica(this.#scratch, model, replica, request, matched, {
      expectedOutput: this.#expectedOutput(request),
      usdPerJoule: this.#options.usdPerJoule,
      prefillShare: this.#prefillLoad.share(replica.id, fleet.now),
      factors: this.corrections.factors(replica.id),
      prefillTauMs: this.#prefillLoad.tauMs,
      tpotObjectiveMs: request.slo.tpotMs ?? Infinity,
      typicalRemainingOutput: this.#typicalRemainingOutput(request),
    });
    return this.#route(request, replica, e, fleet, why);
  }

  #cellsAt(position: number, replica: ReplicaState): { state: ReplicaState; load: LoadCell; factors: ReplicaFactors } {
    const cached = this.#cells[position];
    if (cached !== undefined && cached.state === replica) return cached;
    const fresh = { state: replica, load: this.#prefillLoad.cell(replica.id), factors: this.corrections.cell(replica.id) };
    this.#cells[position] = fresh;
    return fresh;
  }

  onDispatch(request: RequestFeatures, replicaId: string): void {
    this.#prefix.dispatched(request, replicaId);
  }

  onComplete(request: RequestFeatures, replicaId: string, _now: number, outcome: CompletionOutcome): void {
    if (this.#options.learn) this.corrections.observe(request, replicaId, outcome);
  }

  #route(request: RequestFeatures, replica: ReplicaState, e: ReplicaEstimate, fleet: FleetView, why: string): Decision {
    this.#prefix.chosen(replica);
    this.#prefillLoad.add(replica.id, fleet.now, e.ownPrefillMs);
    this.corrections.predicted(request, replica.id, e.rawTtftMs, e.rawTpotMs);
    return {
      kind: 'route',
      replicaId: replica.id,
      reason: `${why}: ${replica.pool}/${replica.hardware}, TTFT ≈ ${Math.round(e.ttftMs)} ms, TPOT ≈ ${e.tpotMs.toFixed(1)} ms`,
      estimate: { ttftMs: e.ttftMs, tpotMs: e.tpotMs, costUsd: e.costUsd, energyJ: e.energyJ, cachedTokens: e.cachedTokens },
    };
  }

  /**
   * Output a running sequence still has to produce, for the stall budget: it is on average half-way
   * through, and output lengths are right-skewed (Azure code: median 13, mean 28), so a typical sequence is
   * about a quarter of the mean output from its end. Tuned on bench/routing.ts (docs/routing-results.md):
   * half the mean let short answers be stalled past their TPOT on the Azure trace.
   */
  #typicalRemainingOutput(request: RequestFeatures): number {
    return (this.corrections.meanOutput ?? request.maxOutputTokens) / 4;
  }

  /** `max_tokens` is a cap; once outputs were seen, price at most twice the mean. */
  #expectedOutput(request: RequestFeatures): number {
    const mean = this.corrections.meanOutput;
    return mean === undefined ? request.maxOutputTokens : Math.min(request.maxOutputTokens, Math.max(1, 2 * mean));
  }
}

const NEUTRAL_FACTORS: ReplicaFactors = Object.freeze({ ttft: 1, tpot: 1 });

function blankEstimate(): ReplicaEstimate {
  return {
    replica: undefined, cachedTokens: 0, queueMs: 0, idleTtftMs: 0, ttftMs: 0, tpotMs: 0, ownPrefillMs: 0, rawTtftMs: 0, rawTpotMs: 0,
    kvFits: true, tpotRisk: 0, stallLoad: 0, costUsd: 0, energyJ: 0, score: 0,
  };
}

function clampRetry(ms: number): number {
  return Math.round(Math.min(60_000, Math.max(1000, ms)));
}
