import type { AssistantBlock } from '../../spec/content.js';
import type { ChatResponse } from '../../spec/response.js';
import { UpstreamError } from '../../errors/upstream-error.js';
import { fromAnthropicUsage, type AnthropicUsage } from './convert-usage.js';
import { fromStopReason } from './map-stop-reason.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One Anthropic response content block → canonical. Block types the canonical form has no place for
 * (server tool results, container uploads) are skipped: the gateway never asks for server tools, and
 * Anthropic's versioning policy says clients must tolerate new block types.
 */
export function fromAnthropicBlock(block: Json): AssistantBlock | undefined {
  switch (block['type']) {
    case 'text':
      return typeof block['text'] === 'string' ? { type: 'text', text: block['text'] } : undefined;
    case 'tool_use':
      return {
        type: 'tool-use',
        id: String(block['id'] ?? ''),
        name: String(block['name'] ?? ''),
        input: block['input'] ?? {},
      };
    case 'thinking': {
      const out: AssistantBlock = { type: 'reasoning', text: typeof block['thinking'] === 'string' ? block['thinking'] : '' };
      if (typeof block['signature'] === 'string' && block['signature'] !== '') out.signature = block['signature'];
      return out;
    }
    case 'redacted_thinking':
      return typeof block['data'] === 'string' ? { type: 'reasoning', text: '', redactedData: block['data'] } : undefined;
    default:
      return undefined;
  }
}

/** An Anthropic Message object (non-streaming response) → ChatResponse. */
export function fromAnthropicResponse(body: unknown): ChatResponse {
  if (!isObject(body) || body['type'] !== 'message' || !Array.isArray(body['content'])) {
    throw new UpstreamError({
      kind: 'protocol',
      message: 'anthropic: the response is not a Message object',
      body: JSON.stringify(body)?.slice(0, 2000),
    });
  }
  const content = body['content']
    .filter(isObject)
    .map(fromAnthropicBlock)
    .filter((block): block is AssistantBlock => block !== undefined);
  const stopReason = typeof body['stop_reason'] === 'string' ? body['stop_reason'] : undefined;
  const response: ChatResponse = {
    id: typeof body['id'] === 'string' ? body['id'] : '',
    model: typeof body['model'] === 'string' ? body['model'] : '',
    content,
    finishReason: fromStopReason(stopReason),
    usage: fromAnthropicUsage(isObject(body['usage']) ? (body['usage'] as AnthropicUsage) : undefined),
  };
  if (stopReason !== undefined) response.rawFinishReason = stopReason;
  if (typeof body['stop_sequence'] === 'string') response.stopSequence = body['stop_sequence'];
  return response;
}
