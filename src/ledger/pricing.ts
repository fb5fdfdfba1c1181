import type { Usage } from '../spec/usage.js';

/**
 * Prices in dollars per million tokens, as providers publish them. Cached input (cache reads) and cache
 * writes have prices of their own; when a provider publishes none, they cost what input costs.
 */
export interface ModelPrice {
  inputPerMTok: number;
  cachedInputPerMTok?: number;
  cacheWritePerMTok?: number;
  outputPerMTok: number;
}

/** Public or served model name → price. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

export interface TokenCostBreakdown {
  /** Input tokens that were neither read from nor written to the cache. */
  uncachedInputUsd: number;
  cachedInputUsd: number;
  cacheWriteUsd: number;
  outputUsd: number;
  totalUsd: number;
}

const M = 1_000_000;

/**
 * The cost of a request's tokens. Pure.
 *
 * Follows spec/usage.ts: `inputTokens` counts ALL prompt tokens, cache reads and writes included, so
 * uncached = input − cached − cacheWrite, and each part is billed at its own price. Billing cache reads
 * at the input price is the LiteLLM bug that over-charged Anthropic streams ~7× (#11789); dropping the
 * cached count on the floor is the "four times the cost" of #36168. Reasoning tokens are part of the
 * output count and billed once, as output.
 *
 * Unknowns: with input or output unknown the cost is unknown (`undefined`), never a guess of 0.
 * An unknown cached or cache-write count is priced as plain input — an upper bound, never an
 * under-charge.
 *
 * Throws RangeError when cached + cache-write exceed input: the adapter broke the usage convention
 * (typically Anthropic's `input_tokens`, which excludes cache tokens, not added back).
 */
export function tokenCost(usage: Usage, price: ModelPrice): TokenCostBreakdown | undefined {
  const { inputTokens, outputTokens } = usage;
  if (inputTokens === undefined || outputTokens === undefined) return undefined;
  const cached = usage.cachedInputTokens ?? 0;
  const written = usage.cacheWriteTokens ?? 0;
  const uncached = inputTokens - cached - written;
  if (uncached < 0) {
    throw new RangeError(`usage is inconsistent: cached (${cached}) + cache-write (${written}) tokens exceed input (${inputTokens})`);
  }
  const uncachedInputUsd = (uncached * price.inputPerMTok) / M;
  const cachedInputUsd = (cached * (price.cachedInputPerMTok ?? price.inputPerMTok)) / M;
  const cacheWriteUsd = (written * (price.cacheWritePerMTok ?? price.inputPerMTok)) / M;
  const outputUsd = (outputTokens * price.outputPerMTok) / M;
  return { uncachedInputUsd, cachedInputUsd, cacheWriteUsd, outputUsd, totalUsd: uncachedInputUsd + cachedInputUsd + cacheWriteUsd + outputUsd };
}

/**
 * The worst-case cost reserved against a budget at admission: every prompt token at the full input
 * price (we cannot know yet what the cache will hold) and all of max_tokens at the output price.
 */
export function estimateCost(price: ModelPrice, promptTokens: number, maxOutputTokens: number): number {
  return (promptTokens * price.inputPerMTok + maxOutputTokens * price.outputPerMTok) / M;
}

/**
 * A self-hosted request's share of its replica's cost: the replica's $/hour × the request's service time
 * × its share of the replica over that time (1 when it ran alone; 1/n when n sequences shared every
 * step — the engine model reports the exact share per step).
 */
export function serviceTimeCost(usdPerHour: number, serviceMs: number, share = 1): number {
  if (!(usdPerHour >= 0) || !(serviceMs >= 0) || !(share >= 0 && share <= 1)) {
    throw new RangeError(`serviceTimeCost needs usdPerHour ≥ 0, serviceMs ≥ 0 and 0 ≤ share ≤ 1 (got ${usdPerHour}, ${serviceMs}, ${share})`);
  }
  return (usdPerHour * serviceMs * share) / 3_600_000;
}

/** How the caller prices one request: by the provider's token prices, or by the replica's time. */
export type Pricing =
  | { kind: 'tokens'; price: ModelPrice }
  | { kind: 'service-time'; usdPerHour: number; serviceMs: number; share?: number };

/** The request's cost in dollars, or undefined when it cannot be known. */
export function requestCost(usage: Usage, pricing: Pricing): number | undefined {
  if (pricing.kind === 'tokens') return tokenCost(usage, pricing.price)?.totalUsd;
  return serviceTimeCost(pricing.usdPerHour, pricing.serviceMs, pricing.share ?? 1);
}
