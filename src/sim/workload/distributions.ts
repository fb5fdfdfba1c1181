import type { Random } from '../../util/random.js';

/** Inter-arrival process. Gamma with CV > 1 models bursty traffic (ServeGen, arXiv 2505.09999); CV 1 is Poisson. */
export type ArrivalSpec = { process: 'poisson' } | { process: 'gamma'; cv: number };

/** Token counts: log-normal with this median and log-space sigma, rounded and clipped to [min, max]. */
export interface LengthSpec {
  median: number;
  sigma: number;
  min: number;
  max: number;
}

/** Milliseconds to the next arrival for a process with `ratePerS` arrivals a second on average. */
export function nextGapMs(random: Random, arrival: ArrivalSpec, ratePerS: number): number {
  const meanMs = 1000 / ratePerS;
  if (arrival.process === 'poisson') return random.exponential(1 / meanMs);
  // Gamma(k, θ) has mean kθ and CV 1/√k: k = 1/cv², θ = mean/k.
  const shape = 1 / (arrival.cv * arrival.cv);
  return random.gamma(shape, meanMs / shape);
}

export function drawLength(random: Random, spec: LengthSpec): number {
  const value = Math.round(random.logNormal(spec.median, spec.sigma));
  return Math.min(spec.max, Math.max(spec.min, value));
}
