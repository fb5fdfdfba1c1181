import type { FinishReason } from '../../spec/finish.js';

/**
 * Gemini `FinishReason` (REST reference, GenerateContentResponse.Candidate.FinishReason) → canonical.
 * `STOP` with function calls in the candidate is `tool-calls`: Gemini has no separate stop reason for
 * them. A prompt blocked before generation (`promptFeedback.blockReason`) is a content filter too.
 */
const TABLE: Record<string, FinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content-filter',
  RECITATION: 'content-filter',
  BLOCKLIST: 'content-filter',
  PROHIBITED_CONTENT: 'content-filter',
  SPII: 'content-filter',
  IMAGE_SAFETY: 'content-filter',
  IMAGE_PROHIBITED_CONTENT: 'content-filter',
  IMAGE_RECITATION: 'content-filter',
  MALFORMED_FUNCTION_CALL: 'error',
  UNEXPECTED_TOOL_CALL: 'error',
  TOO_MANY_TOOL_CALLS: 'error',
  MISSING_THOUGHT_SIGNATURE: 'error',
  MALFORMED_RESPONSE: 'error',
  LANGUAGE: 'other',
  OTHER: 'other',
  IMAGE_OTHER: 'other',
  NO_IMAGE: 'other',
  FINISH_REASON_UNSPECIFIED: 'other',
};

export function mapFinishReason(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === undefined) return 'other';
  if (reason === 'STOP' && hasToolCalls) return 'tool-calls';
  return TABLE[reason] ?? 'other';
}

/** Why a prompt was blocked before any candidate (PromptFeedback.BlockReason): always a filter. */
export function mapBlockReason(): FinishReason {
  return 'content-filter';
}
