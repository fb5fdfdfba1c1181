/**
 * Token usage, three-state per field: a number when the upstream reported it (or we counted it), and
 * `undefined` when unknown. An unknown is never written as 0 — other gateways over-bill 4–7× exactly by
 * losing cached-token counts (LiteLLM #11789, #36168; Portkey #1259; see reference/gateways.md §3).
 *
 * Conventions (OpenAI's, made explicit):
 * - `inputTokens` is ALL prompt tokens, including cache reads and cache writes.
 *   (Anthropic's `input_tokens` excludes both; its adapter adds them back.)
 * - `cachedInputTokens` ⊆ inputTokens: tokens read from the prompt cache.
 * - `cacheWriteTokens` ⊆ inputTokens: tokens written to the prompt cache (Anthropic, Bedrock).
 * - `outputTokens` is ALL generated tokens, including reasoning tokens.
 * - `reasoningTokens` ⊆ outputTokens.
 */
export interface Usage {
  inputTokens: number | undefined;
  cachedInputTokens: number | undefined;
  cacheWriteTokens: number | undefined;
  outputTokens: number | undefined;
  reasoningTokens: number | undefined;
  /** True when some counts came from our own tokenizer because the upstream did not report them. */
  estimated?: boolean;
}

export const UNKNOWN_USAGE: Readonly<Usage> = Object.freeze({
  inputTokens: undefined,
  cachedInputTokens: undefined,
  cacheWriteTokens: undefined,
  outputTokens: undefined,
  reasoningTokens: undefined,
});
