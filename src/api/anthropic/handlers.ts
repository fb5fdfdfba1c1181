import type { ChatRequest } from '../../spec/request.js';
import type { Pipeline } from '../../server/pipeline.js';
import { runGeneration } from '../../server/pipeline.js';
import type { RequestContext } from '../../server/request-context.js';
import type { Json } from '../http/fields.js';
import { parseCountTokensRequest, renderCountTokens } from './count-tokens.js';
import { mintMessageId } from './message-id.js';
import { parseMessagesRequest } from './parse-request.js';
import { estimatePromptTokens, promptText } from './prompt-text.js';
import { renderMessagesResponse } from './render-response.js';
import { MessagesStreamRenderer } from './render-stream.js';

/** `POST /v1/messages`: validate, then the shared pipeline; answers in Anthropic's Message / SSE format. */
export function handleMessages(pipeline: Pipeline, context: RequestContext, body: Json, bodyBytes: number): Promise<void> {
  anthropicHeaders(context);
  // validate
  const request = parseMessagesRequest(body);
  forwardBetas(context, request);
  const id = mintMessageId();
  return runGeneration(pipeline, context, {
    endpoint: 'chat',
    model: request.model,
    stream: request.stream,
    promptTokens: Math.ceil(bodyBytes / 4),
    maxOutputTokens: request.maxOutputTokens ?? 4096,
    promptText: () => promptText(request),
    renderPrompt: (adapter, target) => adapter.renderPrompt?.(request, target),
    call: (adapter, target, call) => adapter.chat(request, target, call),
    callStream: (adapter, target, call) => adapter.streamChat(request, target, call),
    render: (response) => ({
      body: JSON.stringify(renderMessagesResponse(response, { model: request.model, id })),
      usage: response.usage,
    }),
    // message_start needs a prompt count before backends that report usage only at the end have said
    // anything; the estimate is replaced by the upstream's count in message_delta.
    renderStream: () => new MessagesStreamRenderer({ model: request.model, id, inputTokens: () => estimatePromptTokens(request) }),
  });
}

/**
 * `POST /v1/messages/count_tokens`: the upstream's exact count where the backend has one (Anthropic),
 * otherwise the built-in tokenizer's estimate. Counting is free (as at Anthropic): the record carries zero usage.
 */
export function handleCountTokens(pipeline: Pipeline, context: RequestContext, body: Json, bodyBytes: number): Promise<void> {
  anthropicHeaders(context);
  const request = parseCountTokensRequest(body);
  forwardBetas(context, request);
  return runGeneration(pipeline, context, {
    endpoint: 'count-tokens',
    model: request.model,
    stream: false,
    promptTokens: Math.ceil(bodyBytes / 4),
    maxOutputTokens: 0,
    promptText: () => promptText(request),
    call: async (adapter, target, call) =>
      adapter.countTokens === undefined ? estimatePromptTokens(request, true) : adapter.countTokens(request, target, call),
    render: (count) => ({
      body: JSON.stringify(renderCountTokens(count)),
      usage: { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 },
    }),
  });
}

/** Anthropic's SDKs read the request id from `request-id` (`message._request_id`, `APIError.requestID`). */
function anthropicHeaders(context: RequestContext): void {
  context.headers['request-id'] = context.id;
}

/**
 * `anthropic-beta` travels with the request so an Anthropic upstream accepts the beta fields `extra` carries
 * (Claude Code sends e.g. `context_management` under `context-management-2025-06-27`).
 */
function forwardBetas(context: RequestContext, request: ChatRequest): void {
  const beta = context.info.headers['anthropic-beta'];
  const value = Array.isArray(beta) ? beta.join(',') : beta;
  if (value !== undefined && value !== '') request.headers = { 'anthropic-beta': value };
}
