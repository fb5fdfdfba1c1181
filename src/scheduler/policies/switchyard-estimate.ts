import type { ReplicaState } from '../../spec/replica.js';
import type { RequestFeatures } from '../../spec/routing.js';
import type { ReplicaFactors } from '../corrections.js';
import { decodeStepMs, ownPrefillMs, type ReplicaModel } from '../estimates.js';
import { cachedTokens } from './prefix-source.js';

/** One replica's estimate for one request (a reused scratch object: the decision path allocates nothing). */
export interface ReplicaEstimate {
  replica: ReplicaState | undefined;
  cachedTokens: number;
  /** Time to get through the replica's queued prefill work, ms. */
  queueMs: number;
  /** TTFT of this prompt on the replica were it idle (corrected), ms. */
  idleTtftMs: number;
  /** Corrected estimates. */
  ttftMs: number;
  tpotMs: number;
  /** The request's own prefill time, ms. */
  ownPrefillMs: number;
  /** Raw roofline estimates (what the corrections learn against). */
  rawTtftMs: number;
  rawTpotMs: number;
  kvFits: boolean;
  /** Probability that the prefill chunks interleaved with its decode push its TPOT past the objective. */
  tpotRisk: number;
  /**
   * How far the prefill queued ahead plus this prompt stalls the sequences already decoding there, as a
   * fraction of the stall a typical one can absorb within the TPOT objective (0 when nothing runs).
   */
  stallLoad: number;
  costUsd: number;
  energyJ: number;
  score: number;
}

/**
 * TTFT ≈ max(queued prefill + own uncached prefill, steps × decode step of the running batch) + slot wait:
 * with chunked prefill (vLLM V1) every step carries the running batch's decode tokens beside a prefill
 * chunk, so a long queue of prefill work moves at the prefill rate, but never faster than one step per
 * chunk. A replica at its running-sequence cap admits the request only as sequences finish.
 *
 * TPOT ≈ one decode step at the batch the request joins (running + waiting + itself, capped), over the
 * KV context it will hold, averaged with the long steps that carry prefill chunks, in proportion to the share
 * of the replica's time that goes to prefill (`prefillShare`, including this request's own prefill: what
 * everyone on the replica will see).
 *
 * Cost: replica time × $/h. The request takes the replica exclusively while it prefills, and one of its
 * concurrent slots (min of the running cap and what its KV holds of requests this size) while it decodes:
 * that is the capacity it denies to others, which is what a busy fleet pays for. Energy: the replica's
 * full power over that time, priced per joule.
 */
/** What one decision shares across its replicas (one object per decision; `prefillShare` set per replica). */
export interface EstimateContext {
  expectedOutput: number;
  usdPerJoule: number;
  /** The replica's recent prefill share of time (PrefillLoad) and its time constant. */
  prefillShare: number;
  /** The replica's learned corrections (set per replica, like prefillShare). */
  factors: ReplicaFactors;
  prefillTauMs: number;
  /** The request's TPOT objective (Infinity when none). */
  tpotObjectiveMs: number;
  /** Output tokens a typical running sequence still has to produce (for the stall budget). */
  typicalRemainingOutput: number;
}

export function estimateReplica(
  out: ReplicaEstimate,
  model: ReplicaModel,
  replica: ReplicaState,
  request: RequestFeatures,
  matchedBlocks: number,
  context: EstimateContext,
): ReplicaEstimate {
  const { expectedOutput, usdPerJoule, prefillShare, prefillTauMs } = context;
  const cached = cachedTokens(request, matchedBlocks);
  const uncached = request.promptTokens - cached;
  const ownMs = ownPrefillMs(model, uncached, cached);
  const queueMs = replica.pendingPrefillTokens * model.msPerQueuedPrefillToken;
  const contextTokens = replica.kvUsage * model.kvTokens;
  const running = replica.running;
  const batch = Math.min(replica.maxRunning, running + replica.waiting + 1);
  const requestContext = request.promptTokens + expectedOutput / 2;
  const stepMs = decodeStepMs(model, batch, contextTokens + requestContext);
  let prefillPhase = queueMs + ownMs;
  if (running > 0) {
    const steps = Math.ceil((replica.pendingPrefillTokens + uncached) / Math.max(1, model.stepTokenBudget - running));
    // The running batch's own step is no longer than `stepMs` (fewer sequences, less context): only when
    // that bound could matter is it computed.
    if (steps * stepMs > prefillPhase) {
      const decodeMs = decodeStepMs(model, running, contextTokens);
      if (steps * decodeMs > prefillPhase) prefillPhase = steps * decodeMs;
    }
  }
  const excess = running + replica.waiting + 1 - replica.maxRunning;
  // A slot frees each time one of maxRunning sequences finishes: every (expected output × step) / maxRunning.
  const slotWaitMs = excess > 0 ? (excess * expectedOutput * stepMs) / replica.maxRunning : 0;

  const factors = context.factors;
  const ttftFactor = factors.ttft;
  out.cachedTokens = cached;
  out.queueMs = queueMs * ttftFactor;
  out.rawTtftMs = prefillPhase + slotWaitMs;
  out.ttftMs = out.rawTtftMs * ttftFactor;
  out.idleTtftMs = ownMs * ttftFactor;
  // A fraction ρ of the replica's time goes to steps carrying a prefill chunk (chunkMs each: a chunk of the
  // size of the work queued now or of this prompt, at most the step budget), the rest to plain decode steps
  // (stepMs): the mean time between two of this sequence's tokens is the mean step.
  // Bursts: a backlog queued now tends to be followed by more (traffic is autocorrelated), so the backlog's
  // share of the window [now, end of this request's decode] counts too.
  const decodeWindowMs = Math.max(1, expectedOutput - 1) * stepMs;
  const burst = queueMs / (queueMs + ownMs + decodeWindowMs);
  const rho = Math.min(0.99, Math.max(prefillShare + ownMs / prefillTauMs, burst));
  const chunkTokens = Math.min(model.stepTokenBudget, Math.max(uncached, replica.pendingPrefillTokens));
  const chunkMs = stepMs + chunkTokens * model.msPerQueuedPrefillToken;
  const tpotFactor = factors.tpot;
  out.ownPrefillMs = ownMs;
  out.rawTpotMs = 1 / (rho / chunkMs + (1 - rho) / stepMs);
  out.tpotMs = out.rawTpotMs * tpotFactor;
  out.tpotRisk = tpotRisk(expectedOutput, rho, chunkMs * tpotFactor, stepMs * tpotFactor, context.tpotObjectiveMs);
  // Chunked prefill co-schedules the running batch with every prefill chunk, so the work queued here plus
  // this prompt lengthens the remaining decode of every running sequence by about its duration. Within the
  // objective a sequence can absorb (objective − step) per remaining token.
  const stallBudgetMs = (context.tpotObjectiveMs - stepMs * tpotFactor) * Math.max(1, context.typicalRemainingOutput);
  out.stallLoad = running + replica.waiting === 0 || !Number.isFinite(stallBudgetMs) ? 0 : stallBudgetMs <= 0 ? Infinity : (queueMs + ownMs) / stallBudgetMs;

  const kvFree = (1 - replica.kvUsage) * model.kvTokens - replica.pendingPrefillTokens;
  out.kvFits = kvFree >= uncached + expectedOutput;

  const slots = Math.max(1, Math.min(replica.maxRunning, model.kvTokens / Math.max(1, requestContext)));
  const serviceMs = ownMs + (expectedOutput * stepMs) / slots;
  out.energyJ = (replica.maxWatts * serviceMs) / 1000;
  out.costUsd = (replica.usdPerHour * serviceMs) / 3.6e6 + usdPerJoule * out.energyJ;
  out.replica = replica;
  return out;
}

/**
 * The mean hides what decides short outputs: a 6-token answer whose decode meets one 250 ms chunk step
 * averages 50+ ms per token, two of them and it misses 100 ms. Steps are chunk steps with probability
 * p = (ρ / chunk) / (ρ / chunk + (1 − ρ) / step); over the n = output − 1 steps of its decode the number
 * of chunk steps is about Poisson(n·p), and the objective is missed once j ≥ j* = n (objective − step) /
 * (chunk − step) of them land in it.
 */
export function tpotRisk(output: number, rho: number, chunkMs: number, stepMs: number, objectiveMs: number): number {
  if (!Number.isFinite(objectiveMs) || output < 2) return 0;
  if (stepMs >= objectiveMs) return 1;
  if (chunkMs <= objectiveMs || rho <= 0) return 0;
  const n = output - 1;
  const p = rho / chunkMs / (rho / chunkMs + (1 - rho) / stepMs);
  const lambda = n * p;
  const threshold = Math.floor((n * (objectiveMs - stepMs)) / (chunkMs - stepMs)) + 1;
  if (threshold > lambda + 6 * Math.sqrt(lambda) + 6) return 0;
  // P(J ≥ threshold) = 1 − Σ_{j < threshold} e^−λ λ^j / j!
  let term = Math.exp(-lambda);
  let below = 0;
  for (let j = 0; j < threshold; j++) {
    below += term;
    term *= lambda / (j + 1);
  }
  return Math.min(1, Math.max(0, 1 - below));
}
