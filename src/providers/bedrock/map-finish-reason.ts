import type { FinishReason } from '../../spec/finish.js';

/**
 * Bedrock's nine stop reasons (aws-sdk-js-v3 `StopReason`) → the canonical finish reason. The raw value
 * always travels beside it (`rawFinishReason`, stream `finish.raw`), so nothing is lost.
 *
 * Choices that other gateways got wrong (reference/bedrock.md §4.7):
 * - `content_filtered` and `guardrail_intervened` are filters, not successes (Arize openinference #3631).
 * - `model_context_window_exceeded` is a length stop: the output was cut because the window filled.
 * - `malformed_model_output` / `malformed_tool_use` mean the model produced something unusable: `error`,
 *   so clients do not run a half-parsed tool call as if the turn ended normally.
 * - an unknown future value is `other`, never silently `stop`.
 */
const TABLE: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  tool_use: 'tool-calls',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  guardrail_intervened: 'content-filter',
  content_filtered: 'content-filter',
  malformed_model_output: 'error',
  malformed_tool_use: 'error',
};

export function mapFinishReason(stopReason: string | undefined): FinishReason {
  if (stopReason === undefined) return 'other';
  return TABLE[stopReason] ?? 'other';
}
