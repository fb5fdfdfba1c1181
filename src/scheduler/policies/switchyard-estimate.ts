import type { ReplicaState } from '../../spec/replica.js';
import type { RequestFeatures } from '../../spec/routing.js';
import type { EstimateCorrections } from '../corrections.js';
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
export function estimateReplica(
  out: ReplicaEstimate,
  model: ReplicaModel,
  replica: ReplicaState,
  request: RequestFeatures,
  matchedBlocks: number,
  expectedOutput: number,
  corrections: EstimateCorrections,
  usdPerJoule: number,
  prefillShare: number,
  prefillTauMs: number,
): ReplicaEstimate {
  const cached = cachedTokens(request, matchedBlocks);
  const uncached = request.promptTokens - cached;
  const ownMs = ownPrefillMs(model, uncached, cached);
  const queueMs = replica.pendingPrefillTokens * model.msPerQueuedPrefillToken;
  const contextTokens = replica.kvUsage * model.kvTokens;
  const running = replica.running;
  let prefillPhase = queueMs + ownMs;
  if (running > 0) {
    const decodeMs = decodeStepMs(model, running, contextTokens);
    const steps = Math.ceil((replica.pendingPrefillTokens + uncached) / Math.max(1, model.stepTokenBudget - running));
    if (steps * decodeMs > prefillPhase) prefillPhase = steps * decodeMs;
  }
  const batch = Math.min(replica.maxRunning, running + replica.waiting + 1);
  const requestContext = request.promptTokens + expectedOutput / 2;
  const stepMs = decodeStepMs(model, batch, contextTokens + requestContext);
  const excess = running + replica.waiting + 1 - replica.maxRunning;
  // A slot frees each time one of maxRunning sequences finishes: every (expected output × step) / maxRunning.
  const slotWaitMs = excess > 0 ? (excess * expectedOutput * stepMs) / replica.maxRunning : 0;

  const ttftFactor = corrections.ttftFactor(replica.id);
  out.cachedTokens = cached;
  out.queueMs = queueMs * ttftFactor;
  out.rawTtftMs = prefillPhase + slotWaitMs;
  out.ttftMs = out.rawTtftMs * ttftFactor;
  out.idleTtftMs = ownMs * ttftFactor;
  // A fraction ρ of the replica's time goes to steps carrying a full prefill chunk (chunkMs each), the rest
  // to plain decode steps (stepMs): the mean time between two of this sequence's tokens is the mean step.
  const rho = Math.min(0.99, prefillShare + ownMs / prefillTauMs);
  const chunkMs = Math.max(stepMs, model.stepTokenBudget * model.msPerQueuedPrefillToken);
  out.ownPrefillMs = ownMs;
  out.rawTpotMs = 1 / (rho / chunkMs + (1 - rho) / stepMs);
  out.tpotMs = out.rawTpotMs * corrections.tpotFactor(replica.id);

  const kvFree = (1 - replica.kvUsage) * model.kvTokens - replica.pendingPrefillTokens;
  out.kvFits = kvFree >= uncached + expectedOutput;

  const slots = Math.max(1, Math.min(replica.maxRunning, model.kvTokens / Math.max(1, requestContext)));
  const serviceMs = ownMs + (expectedOutput * stepMs) / slots;
  out.energyJ = (replica.maxWatts * serviceMs) / 1000;
  out.costUsd = (replica.usdPerHour * serviceMs) / 3.6e6 + usdPerJoule * out.energyJ;
  out.replica = replica;
  return out;
}
