import type { CompletionOutcome, RequestFeatures } from '../spec/routing.js';

/**
 * What the scheduler learns from finished requests, so imperfect estimates correct themselves:
 *
 * - per replica, how far observed TTFT and TPOT run from the predictions (the roofline knows nothing of a
 *   slow network, a noisy neighbour or a mis-set MFU; the ratio does);
 * - the mean output length, to price requests whose `max_tokens` is a cap rather than a prediction.
 *
 * A factor is a ratio of exponentially weighted sums, Σ observed / Σ predicted (α = 0.1), not a mean of
 * ratios: long waits, the ones that decide an objective, weigh in proportion, and a 5 ms prediction that
 * took 15 ms does not triple the estimate of a 3 s one. One observation counts at most 4 × its prediction (a
 * preempted request cannot swing a factor), and factors stay within [0.5, 4]: beyond that the model, not
 * the factor, is what needs fixing.
 */
const ALPHA = 0.1;
const MAX_PENDING = 100_000;

interface Prediction {
  replicaId: string;
  ttftMs: number;
  tpotMs: number;
}

/** A replica's learned factors (1 until something was observed), read once per replica per decision. */
export interface ReplicaFactors {
  readonly ttft: number;
  readonly tpot: number;
}

interface Learned {
  ttftObserved: number;
  ttftPredicted: number;
  tpotObserved: number;
  tpotPredicted: number;
  factors: { ttft: number; tpot: number };
}

const NEUTRAL: ReplicaFactors = Object.freeze({ ttft: 1, tpot: 1 });

export class EstimateCorrections {
  readonly #pending = new Map<string, Prediction>();
  readonly #learned = new Map<string, Learned>();
  #meanOutput: number | undefined;

  factors(replicaId: string): ReplicaFactors {
    return this.#learned.get(replicaId)?.factors ?? NEUTRAL;
  }

  /** The replica's live factors (created neutral): a caller may hold the object; learning updates it. */
  cell(replicaId: string): ReplicaFactors {
    return this.#entry(replicaId).factors;
  }

  #entry(replicaId: string): Learned {
    let learned = this.#learned.get(replicaId);
    if (learned === undefined) {
      learned = { ttftObserved: 0, ttftPredicted: 0, tpotObserved: 0, tpotPredicted: 0, factors: { ttft: 1, tpot: 1 } };
      this.#learned.set(replicaId, learned);
    }
    return learned;
  }

  ttftFactor(replicaId: string): number {
    return this.factors(replicaId).ttft;
  }

  tpotFactor(replicaId: string): number {
    return this.factors(replicaId).tpot;
  }

  /** Mean observed output tokens, once anything finished. */
  get meanOutput(): number | undefined {
    return this.#meanOutput;
  }

  /** Remembers what was predicted for a routed request (the raw estimate, before any factor). */
  predicted(request: RequestFeatures, replicaId: string, ttftMs: number, tpotMs: number): void {
    // Completions remove their entry; if they stop arriving (a caller that never reports), start over
    // rather than evict one by one (deleting a Map's oldest key repeatedly walks its deleted entries).
    if (this.#pending.size >= MAX_PENDING) this.#pending.clear();
    this.#pending.set(request.id, { replicaId, ttftMs, tpotMs });
  }

  observe(request: RequestFeatures, replicaId: string, outcome: CompletionOutcome): void {
    const prediction = this.#pending.get(request.id);
    this.#pending.delete(request.id);
    if (outcome.outputTokens !== undefined) {
      this.#meanOutput =
        this.#meanOutput === undefined ? outcome.outputTokens : this.#meanOutput + ALPHA * (outcome.outputTokens - this.#meanOutput);
    }
    if (!outcome.ok || prediction === undefined || prediction.replicaId !== replicaId) return;
    const learned = this.#entry(replicaId);
    const { ttftMs, tpotMs } = outcome;
    if (ttftMs !== undefined && ttftMs >= 0 && prediction.ttftMs > 0) {
      learned.ttftObserved = (1 - ALPHA) * learned.ttftObserved + ALPHA * Math.min(ttftMs, 4 * prediction.ttftMs);
      learned.ttftPredicted = (1 - ALPHA) * learned.ttftPredicted + ALPHA * prediction.ttftMs;
      learned.factors.ttft = clamp(learned.ttftObserved / learned.ttftPredicted);
    }
    if (tpotMs !== undefined && tpotMs >= 0 && prediction.tpotMs > 0) {
      learned.tpotObserved = (1 - ALPHA) * learned.tpotObserved + ALPHA * Math.min(tpotMs, 4 * prediction.tpotMs);
      learned.tpotPredicted = (1 - ALPHA) * learned.tpotPredicted + ALPHA * prediction.tpotMs;
      learned.factors.tpot = clamp(learned.tpotObserved / learned.tpotPredicted);
    }
  }
}

function clamp(factor: number): number {
  return Number.isFinite(factor) ? Math.min(4, Math.max(0.5, factor)) : 1;
}
