import type { AssistantBlock } from '../../spec/content.js';
import type { ChatResponse } from '../../spec/response.js';
import { toAnthropicUsage } from '../../providers/anthropic/convert-usage.js';
import { toStopReason } from '../../providers/anthropic/map-stop-reason.js';
import { mintMessageId, mintToolUseId } from './message-id.js';
import { GatewayError } from '../../errors/gateway-error.js';

export interface RenderMessageOptions {
  /** The model name the client asked for (the public name, not the upstream's). */
  model: string;
  /** The gateway's message id; minted in Anthropic's `msg_…` format when absent. */
  id?: string;
}

/**
 * Canonical response → Anthropic Message object (`Message` in @anthropic-ai/sdk,
 * https://docs.anthropic.com/en/api/messages). Field order follows Anthropic's own responses.
 * Usage: see `toAnthropicUsage` — unknown counts are null, never 0.
 */
export function renderMessagesResponse(response: ChatResponse, options: RenderMessageOptions): Record<string, unknown> {
  return {
    id: options.id ?? mintMessageId(),
    type: 'message',
    role: 'assistant',
    model: options.model,
    content: response.content.map(renderBlock),
    stop_reason: toStopReason(response.finishReason, response.rawFinishReason, response.stopSequence),
    stop_sequence: response.stopSequence ?? null,
    usage: toAnthropicUsage(response.usage),
  };
}

export function renderBlock(block: AssistantBlock): Record<string, unknown> {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'tool-use': {
      // Anthropic's tool_use.input is always an object; a backend that produced no arguments gets {}, one
      // that produced something else (malformed JSON kept as a string) is an upstream failure, not a reply.
      const input = block.input ?? {};
      if (typeof input !== 'object' || Array.isArray(input)) {
        throw new GatewayError('upstream_error', `the model's arguments for tool "${block.name}" are not a JSON object`);
      }
      return { type: 'tool_use', id: block.id === '' ? mintToolUseId() : block.id, name: block.name, input };
    }
    case 'reasoning':
      if (block.redactedData !== undefined) return { type: 'redacted_thinking', data: block.redactedData };
      // Reasoning from a backend without signatures (vLLM, OpenAI-compatible) carries an empty signature,
      // the same value Anthropic's own content_block_start holds before signature_delta arrives.
      return { type: 'thinking', thinking: block.text, signature: block.signature ?? '' };
  }
}
