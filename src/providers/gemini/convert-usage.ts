import type { Usage } from '../../spec/usage.js';
import type { UsageMetadata } from './wire-types.js';

/**
 * Gemini usageMetadata → canonical Usage. From the REST reference (UsageMetadata):
 * - `promptTokenCount`: "When cachedContent is set, this is still the total effective prompt size meaning
 *   this includes the number of tokens in the cached content" — so it already includes cache reads, like
 *   canonical `inputTokens`; `cachedContentTokenCount` is the cached subset.
 * - `toolUsePromptTokenCount`: tokens of tool-use prompts (built-in tools' results fed back); they are
 *   prompt-side tokens outside `promptTokenCount`, so they are added to input.
 * - `candidatesTokenCount` excludes thinking; `thoughtsTokenCount` is counted separately
 *   (`totalTokenCount` = prompt + toolUsePrompt + candidates + thoughts; e.g. vercel/ai's recorded
 *   google-reasoning.json: 9 + 29 + 282 = 320). Canonical `outputTokens` includes reasoning, so
 *   output = candidates + thoughts and reasoning = thoughts.
 * - Gemini reports no cache-write counter: `cacheWriteTokens` stays unknown.
 */
export function convertUsage(usage: UsageMetadata | undefined): Usage {
  const prompt = count(usage?.promptTokenCount);
  const toolPrompt = count(usage?.toolUsePromptTokenCount);
  const candidates = count(usage?.candidatesTokenCount);
  const thoughts = count(usage?.thoughtsTokenCount);
  return {
    inputTokens: prompt === undefined ? undefined : prompt + (toolPrompt ?? 0),
    cachedInputTokens: count(usage?.cachedContentTokenCount),
    cacheWriteTokens: undefined,
    outputTokens: candidates === undefined && thoughts === undefined ? undefined : (candidates ?? 0) + (thoughts ?? 0),
    reasoningTokens: thoughts,
  };
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
