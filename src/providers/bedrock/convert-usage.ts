import type { Usage } from '../../spec/usage.js';
import type { TokenUsage } from './wire-types.js';

/**
 * Bedrock TokenUsage → canonical Usage.
 *
 * Bedrock's `inputTokens` EXCLUDES cache reads and cache writes: the prompt-caching guide
 * (docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html) says that with caching on, `inputTokens`
 * is only the non-cached input, and total input = inputTokens + cacheReadInputTokens + cacheWriteInputTokens.
 * That is the passage quoted in crmne/ruby_llm PR #832 and acted on in BerriAI/litellm PR #15292 and
 * librefang PR #5879; the API reference (API_runtime_TokenUsage) lists the cache counters as separate fields.
 * Canonical `inputTokens` includes both (src/spec/usage.ts), so we add them back — the same shape as
 * Anthropic's own API, which Bedrock's Claude models mirror.
 *
 * Three-state: an absent counter stays `undefined`. Bedrock does not break reasoning out of
 * `outputTokens`, so `reasoningTokens` is unknown.
 */
export function convertUsage(usage: TokenUsage | undefined): Usage {
  const input = count(usage?.inputTokens);
  const cacheRead = count(usage?.cacheReadInputTokens);
  const cacheWrite = count(usage?.cacheWriteInputTokens);
  return {
    inputTokens: input === undefined ? undefined : input + (cacheRead ?? 0) + (cacheWrite ?? 0),
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    outputTokens: count(usage?.outputTokens),
    reasoningTokens: undefined,
  };
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
