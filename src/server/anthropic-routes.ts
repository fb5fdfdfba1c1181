import type { ChatRequest } from '../spec/request.js';
import { countTokens } from '../tokenizer/tokenizer.js';
import { parseCountTokensRequest, parseMessagesRequest, renderCountTokens, renderMessagesResponse, renderMessagesStream } from '../api/anthropic/index.js';
import type { Json } from '../api/http/fields.js';
import type { Gateway } from './gateway.js';
import { runGeneration, type Pipeline } from './pipeline.js';
import type { RequestContext } from './request-context.js';

/**
 * Mounts the Anthropic Messages surface (src/api/anthropic does the parsing and rendering): the same
 * pipeline as the OpenAI surface, Anthropic-shaped answers and errors.
 */
export function mountAnthropic(gateway: Gateway): void {
  gateway.post('/v1/messages', handleMessages, 'anthropic');
  gateway.post('/v1/messages/count_tokens', handleCountTokens, 'anthropic');
}

function handleMessages(pipeline: Pipeline, context: RequestContext, body: Json, bodyBytes: number): Promise<void> {
  // validate
  const request = parseMessagesRequest(body);
  const promptTokens = Math.ceil(bodyBytes / 4);
  return runGeneration(pipeline, context, {
    endpoint: 'chat',
    model: request.model,
    stream: request.stream,
    promptTokens,
    maxOutputTokens: request.maxOutputTokens ?? 1024,
    promptText: () => promptText(request),
    call: (adapter, target, call) => adapter.chat(request, target, call),
    callStream: (adapter, target, call) => adapter.streamChat(request, target, call),
    render: (response) => ({ body: JSON.stringify(renderMessagesResponse(response, { model: request.model })), usage: response.usage }),
    renderStream: (events) => renderMessagesStream(events, { model: request.model }),
  });
}

/**
 * count_tokens: the serving backend's exact count when its adapter has one (Anthropic's own endpoint),
 * otherwise our tokenizer's count of the prompt — routed like a generation so the model must exist.
 */
function handleCountTokens(pipeline: Pipeline, context: RequestContext, body: Json, bodyBytes: number): Promise<void> {
  const request = parseCountTokensRequest(body);
  return runGeneration(pipeline, context, {
    endpoint: 'count-tokens',
    model: request.model,
    stream: false,
    promptTokens: Math.ceil(bodyBytes / 4),
    maxOutputTokens: 0,
    promptText: () => promptText(request),
    call: async (adapter, target, call) => (adapter.countTokens === undefined ? estimate(request) : adapter.countTokens(request, target, call)),
    render: (n) => ({
      body: JSON.stringify(renderCountTokens(n)),
      usage: { inputTokens: n, cachedInputTokens: undefined, cacheWriteTokens: undefined, outputTokens: 0, reasoningTokens: undefined },
    }),
  });
}

function estimate(request: ChatRequest): number {
  let total = countTokens(promptText(request));
  if (request.tools !== undefined) total += countTokens(JSON.stringify(request.tools));
  return total;
}

function promptText(request: ChatRequest): string {
  let text = '';
  for (const block of request.system) text += `${block.text}\n`;
  for (const message of request.messages) {
    for (const block of message.content) {
      if (block.type === 'text') text += `${block.text}\n`;
      else if (block.type === 'tool-use') text += `${JSON.stringify(block.input)}\n`;
      else if (block.type === 'tool-result') for (const part of block.content) if (part.type === 'text') text += `${part.text}\n`;
    }
  }
  return text;
}
