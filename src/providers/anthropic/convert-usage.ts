import type { Usage } from '../../spec/usage.js';

/**
 * Anthropic usage ⇄ canonical usage.
 *
 * Anthropic's `input_tokens` counts only the uncached part of the prompt; `cache_read_input_tokens` and
 * `cache_creation_input_tokens` are separate and add up to the whole prompt ("Total input tokens in a
 * request is the summation of input_tokens, cache_creation_input_tokens, and cache_read_input_tokens",
 * Message.usage in @anthropic-ai/sdk). The canonical `inputTokens` is the whole prompt, so the caches are
 * added back here and taken out again when rendering for an Anthropic client. Missing or null fields stay
 * unknown: LiteLLM #11789 billed cache reads as fresh input exactly by flattening this.
 */
export interface AnthropicUsage {
  input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function fromAnthropicUsage(raw: AnthropicUsage | null | undefined): Usage {
  const uncached = count(raw?.input_tokens);
  const cacheRead = count(raw?.cache_read_input_tokens);
  const cacheWrite = count(raw?.cache_creation_input_tokens);
  return {
    inputTokens: uncached === undefined ? undefined : uncached + (cacheRead ?? 0) + (cacheWrite ?? 0),
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    outputTokens: count(raw?.output_tokens),
    reasoningTokens: count(raw?.output_tokens_details?.thinking_tokens),
  };
}

/**
 * The Anthropic view of canonical usage. Unknown counts are `null` (the wire type allows null for the cache
 * fields and Anthropic itself sends null there; for input/output it is the only honest value when neither
 * the upstream nor the gateway's tokenizer produced one). When caches are unknown the whole prompt is
 * reported as uncached input.
 */
export interface RenderedAnthropicUsage {
  input_tokens: number | null;
  cache_creation_input_tokens: number | null;
  cache_read_input_tokens: number | null;
  /**
   * The cache-write split by TTL. Known to be {0, 0} when nothing was written; otherwise the canonical form
   * does not keep the split, so it is null (the SDK type is `CacheCreation | null`).
   */
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number } | null;
  output_tokens: number | null;
}

export function toAnthropicUsage(usage: Usage): RenderedAnthropicUsage {
  const cacheRead = usage.cachedInputTokens;
  const cacheWrite = usage.cacheWriteTokens;
  const input =
    usage.inputTokens === undefined ? null : Math.max(0, usage.inputTokens - (cacheRead ?? 0) - (cacheWrite ?? 0));
  return {
    input_tokens: input,
    cache_creation_input_tokens: cacheWrite ?? null,
    cache_read_input_tokens: cacheRead ?? null,
    cache_creation: cacheWrite === 0 ? { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 } : null,
    output_tokens: usage.outputTokens ?? null,
  };
}

/** Later usage supersedes earlier usage field by field; a known value is never replaced by an unknown one. */
export function mergeUsage(base: Usage, next: Usage): Usage {
  const merged: Usage = {
    inputTokens: next.inputTokens ?? base.inputTokens,
    cachedInputTokens: next.cachedInputTokens ?? base.cachedInputTokens,
    cacheWriteTokens: next.cacheWriteTokens ?? base.cacheWriteTokens,
    outputTokens: next.outputTokens ?? base.outputTokens,
    reasoningTokens: next.reasoningTokens ?? base.reasoningTokens,
  };
  if (base.estimated === true || next.estimated === true) merged.estimated = true;
  return merged;
}
