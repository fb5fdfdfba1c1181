import type { Usage } from '../../spec/usage.js';
import type { WireUsage } from './api-types.js';

/**
 * OpenAI usage → canonical usage. A field the upstream did not send stays undefined (never 0): vLLM
 * without `--enable-prompt-tokens-details` sends `prompt_tokens_details: null`, which means "unknown",
 * not "no cache hits" (the bill-inflating mistake of LiteLLM #36168).
 */
export function convertUsage(usage: WireUsage | null | undefined): Usage {
  return {
    inputTokens: count(usage?.prompt_tokens),
    cachedInputTokens: count(usage?.prompt_tokens_details?.cached_tokens),
    cacheWriteTokens: undefined,
    outputTokens: count(usage?.completion_tokens),
    reasoningTokens: count(usage?.completion_tokens_details?.reasoning_tokens),
  };
}

function count(value: number | null | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
