import type { ChatRequest, CompletionRequest } from '../../spec/request.js';
import type { Pipeline } from '../../server/pipeline.js';
import { runGeneration } from '../../server/pipeline.js';
import type { RequestContext } from '../../server/request-context.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { sendJson } from '../http/respond.js';
import { estimateUsage, generatedText } from '../../server/estimate-usage.js';
import type { Json } from '../http/fields.js';
import { parseChatRequest } from './parse-chat.js';
import { parseCompletionRequest, parseEmbeddingRequest } from './parse-other.js';
import { renderChatCompletion } from './render-chat.js';
import { ChatStreamRenderer } from './render-chat-stream.js';
import { renderCompletion, renderEmbeddings, renderModel, renderModelList } from './render-other.js';

/** Handlers of the OpenAI surface. Each one validates (parse), then hands the rest to the shared pipeline. */

let idCounter = 0;
const ID_PREFIX = Math.random().toString(36).slice(2, 10);
function mintId(prefix: string): string {
  idCounter = (idCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}-${ID_PREFIX}${idCounter.toString(36)}`;
}

export function handleChatCompletions(pipeline: Pipeline, context: RequestContext, body: Json, bodyBytes: number): Promise<void> {
  // validate
  const { request, includeUsage } = parseChatRequest(body);
  const meta = { id: mintId('chatcmpl'), model: request.model, created: Math.floor(Date.now() / 1000) };
  return runGeneration(pipeline, context, {
    endpoint: 'chat',
    model: request.model,
    stream: request.stream,
    promptTokens: Math.ceil(bodyBytes / 4),
    maxOutputTokens: request.maxOutputTokens ?? 1024,
    promptText: () => promptText(request),
    renderPrompt: (adapter, target) => adapter.renderPrompt?.(request, target),
    call: (adapter, target, call) => adapter.chat(request, target, call),
    callStream: (adapter, target, call) => adapter.streamChat(request, target, call),
    render: (response) => {
      response.usage = estimateUsage(response.usage, () => promptText(request), () => generatedText(response.content));
      return { body: renderChatCompletion(response, meta), usage: response.usage };
    },
    renderStream: () => new ChatStreamRenderer({ id: meta.id, model: meta.model, created: meta.created, includeUsage }),
  });
}

export function handleCompletions(pipeline: Pipeline, context: RequestContext, body: Json, bodyBytes: number): Promise<void> {
  const { request, includeUsage } = parseCompletionRequest(body);
  const meta = { id: mintId('cmpl'), model: request.model, created: Math.floor(Date.now() / 1000) };
  const requireComplete = (adapterId: string): never => {
    throw new GatewayError('unsupported_feature', `the "${adapterId}" backend does not serve /v1/completions`, { param: 'model' });
  };
  return runGeneration(pipeline, context, {
    endpoint: 'completion',
    model: request.model,
    stream: request.stream,
    promptTokens: Math.ceil(bodyBytes / 4),
    maxOutputTokens: request.maxOutputTokens ?? 16,
    promptText: () => request.prompt,
    call: (adapter, target, call) => (adapter.complete === undefined ? requireComplete(adapter.id) : adapter.complete(request as CompletionRequest, target, call)),
    callStream: (adapter, target, call) =>
      adapter.streamComplete === undefined ? requireComplete(adapter.id) : adapter.streamComplete(request, target, call),
    render: (response) => {
      response.usage = estimateUsage(response.usage, () => request.prompt, () => response.text);
      return { body: renderCompletion(response, meta), usage: response.usage };
    },
    renderStream: () => new ChatStreamRenderer({ id: meta.id, model: meta.model, created: meta.created, includeUsage, kind: 'completion' }),
  });
}

export function handleEmbeddings(pipeline: Pipeline, context: RequestContext, body: Json, bodyBytes: number): Promise<void> {
  const request = parseEmbeddingRequest(body);
  return runGeneration(pipeline, context, {
    endpoint: 'embedding',
    model: request.model,
    stream: false,
    promptTokens: Math.ceil(bodyBytes / 4),
    maxOutputTokens: 0,
    promptText: () => (typeof request.input[0] === 'string' ? (request.input as string[]).join('\n') : ''),
    call: (adapter, target, call) => {
      if (adapter.embed === undefined) {
        throw new GatewayError('unsupported_feature', `the "${adapter.id}" backend does not serve embeddings`, { param: 'model' });
      }
      return adapter.embed(request, target, call);
    },
    render: (response) => ({ body: renderEmbeddings(response, request.model), usage: response.usage }),
  });
}

export function handleListModels(pipeline: Pipeline, context: RequestContext): void {
  sendJson(context.response, 200, renderModelList(pipeline.router.models), context.headers);
}

export function handleGetModel(pipeline: Pipeline, context: RequestContext, id: string): void {
  const model = pipeline.router.resolve(id);
  if (model === undefined) throw new GatewayError('model_not_found', `model "${id}" does not exist`, { param: 'model' });
  sendJson(context.response, 200, JSON.stringify(renderModel(model, id)), context.headers);
}

function promptText(request: ChatRequest): string {
  let text = '';
  for (const block of request.system) text += block.text;
  for (const message of request.messages) for (const block of message.content) if (block.type === 'text') text += block.text;
  return text;
}
