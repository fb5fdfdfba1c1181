import type { CompletionOutcome, RequestFeatures } from '../spec/routing.js';

/**
 * What the scheduler learns from finished requests, so imperfect estimates correct themselves:
 *
 * - per replica, the ratio of observed to predicted TTFT and TPOT, as an exponentially weighted mean (the
 *   roofline knows nothing of a slow network, a noisy neighbour or a mis-set MFU; the ratio does);
 * - the mean output length, to price requests whose `max_tokens` is a cap rather than a prediction.
 *
 * Samples are clamped so one outlier (a preempted request) cannot swing a factor, and factors stay within
 * [0.5, 4]: beyond that the model, not the factor, is what needs fixing.
 */
const ALPHA = 0.1;
const MAX_PENDING = 100_000;

interface Prediction {
  replicaId: string;
  ttftMs: number;
  tpotMs: number;
}

export class EstimateCorrections {
  readonly #pending = new Map<string, Prediction>();
  readonly #ttft = new Map<string, Ratio>();
  readonly #tpot = new Map<string, Ratio>();
  #meanOutput: number | undefined;

  ttftFactor(replicaId: string): number {
    return factor(this.#ttft.get(replicaId));
  }

  tpotFactor(replicaId: string): number {
    return factor(this.#tpot.get(replicaId));
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
    if (outcome.ttftMs !== undefined) update(this.#ttft, replicaId, outcome.ttftMs, prediction.ttftMs);
    if (outcome.tpotMs !== undefined) update(this.#tpot, replicaId, outcome.tpotMs, prediction.tpotMs);
  }
}

/**
 * The factor is a ratio of exponentially weighted sums (Σ observed / Σ predicted), not a mean of ratios:
 * long waits, the ones that decide an objective, weigh in proportion, and a 5 ms prediction that took 15 ms
 * does not triple the estimate of a 3 s one.
 */
function update(factors: Map<string, Ratio>, replicaId: string, observed: number, predicted: number): void {
  if (!(predicted > 0) || !(observed >= 0)) return;
  const ratio = factors.get(replicaId) ?? { observed: 0, predicted: 0 };
  ratio.observed = (1 - ALPHA) * ratio.observed + ALPHA * Math.min(observed, 4 * predicted);
  ratio.predicted = (1 - ALPHA) * ratio.predicted + ALPHA * predicted;
  factors.set(replicaId, ratio);
}

function factor(ratio: Ratio | undefined): number {
  if (ratio === undefined || !(ratio.predicted > 0)) return 1;
  return Math.min(4, Math.max(0.5, ratio.observed / ratio.predicted));
}

interface Ratio {
  observed: number;
  predicted: number;
}
