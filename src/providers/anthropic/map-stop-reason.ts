import type { FinishReason } from '../../spec/finish.js';

/** Anthropic's stop reasons (StopReason in @anthropic-ai/sdk, https://docs.anthropic.com/en/api/handling-stop-reasons). */
export const ANTHROPIC_STOP_REASONS = [
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'pause_turn',
  'refusal',
  'model_context_window_exceeded',
] as const;

export type AnthropicStopReason = (typeof ANTHROPIC_STOP_REASONS)[number];

function isAnthropicStopReason(value: string | undefined): value is AnthropicStopReason {
  return value !== undefined && (ANTHROPIC_STOP_REASONS as readonly string[]).includes(value);
}

/**
 * Canonical finish → Anthropic `stop_reason`. When the upstream's own value is already one of Anthropic's
 * (an Anthropic or Bedrock upstream) it is kept, so `model_context_window_exceeded` survives the round trip.
 * `error` and `other` have no Anthropic counterpart; they render as `end_turn`, the reason that claims least.
 */
export function toStopReason(reason: FinishReason, raw?: string, stopSequence?: string): AnthropicStopReason {
  if (isAnthropicStopReason(raw) && fromStopReason(raw) === reason) return raw;
  switch (reason) {
    case 'stop':
      return stopSequence !== undefined ? 'stop_sequence' : 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool-calls':
      return 'tool_use';
    case 'content-filter':
      return 'refusal';
    case 'pause':
      return 'pause_turn';
    case 'error':
    case 'other':
      return 'end_turn';
  }
}

/** Anthropic `stop_reason` → canonical finish (used by the Anthropic adapter too). */
export function fromStopReason(raw: string | null | undefined): FinishReason {
  switch (raw) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    case 'pause_turn':
      return 'pause';
    default:
      return 'other';
  }
}
