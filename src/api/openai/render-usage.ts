import type { Usage } from '../../spec/usage.js';
import type { FinishReason } from '../../spec/finish.js';

/**
 * Canonical usage → OpenAI `usage`. Cached and reasoning tokens go into `prompt_tokens_details` and
 * `completion_tokens_details` whenever known — in streams too (LiteLLM #11789, Portkey #1259 lost them).
 * Returns undefined when the totals are unknown: an invented 0 would be a wrong bill downstream.
 */
export function renderUsage(usage: Usage): string | undefined {
  const input = usage.inputTokens;
  const output = usage.outputTokens;
  if (input === undefined || output === undefined) return undefined;
  let json = `{"prompt_tokens":${input},"completion_tokens":${output},"total_tokens":${input + output}`;
  if (usage.cachedInputTokens !== undefined) json += `,"prompt_tokens_details":{"cached_tokens":${usage.cachedInputTokens}}`;
  if (usage.reasoningTokens !== undefined) json += `,"completion_tokens_details":{"reasoning_tokens":${usage.reasoningTokens}}`;
  return `${json}}`;
}

/** Later usage reports supersede earlier ones field by field; a known value is never replaced by unknown. */
export function mergeUsage(into: Usage, next: Usage): void {
  if (next.inputTokens !== undefined) into.inputTokens = next.inputTokens;
  if (next.cachedInputTokens !== undefined) into.cachedInputTokens = next.cachedInputTokens;
  if (next.cacheWriteTokens !== undefined) into.cacheWriteTokens = next.cacheWriteTokens;
  if (next.outputTokens !== undefined) into.outputTokens = next.outputTokens;
  if (next.reasoningTokens !== undefined) into.reasoningTokens = next.reasoningTokens;
  if (next.estimated === true) into.estimated = true;
}

export function openaiFinishReason(reason: FinishReason): string {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}
