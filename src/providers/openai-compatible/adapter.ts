import type { CallContext, ProviderAdapter, UpstreamTarget } from '../../spec/adapter.js';
import type { ChatRequest, CompletionRequest, EmbeddingRequest } from '../../spec/request.js';
import type { ChatResponse, CompletionResponse, EmbeddingResponse } from '../../spec/response.js';
import type { EventBatches } from '../../spec/stream.js';
import type { HttpResponse } from '../../spec/transport.js';
import { convertChatRequest, convertCompletionRequest, convertEmbeddingRequest } from './convert-request.js';
import { convertChatResponse, convertCompletionResponse, convertEmbeddingResponse } from './convert-response.js';
import { convertChatStream } from './convert-stream.js';
import { upstreamError } from './errors.js';
import { renderOpenAIChat } from '../../tokenizer/chat-template.js';
import { vendorHooks, type VendorHooks } from './vendors.js';
import type { WireChatResponse, WireEmbeddingResponse } from './api-types.js';

/** Per-target values computed once (headers, URLs, hooks), not per request. */
interface Prepared {
  hooks: VendorHooks;
  headers: Record<string, string>;
  origin: string;
  chatUrl: string;
  completionsUrl: string;
  embeddingsUrl: string;
}

/**
 * The adapter for every server that speaks OpenAI's chat-completions protocol: vLLM, SGLang, llama.cpp,
 * Ollama, TGI, OpenAI and hosted APIs that copy it. `target.options.vendor` picks the quirks (vendors.ts).
 * `target.baseUrl` includes the version prefix (`http://host:8000/v1`).
 */
export function createOpenAICompatibleAdapter(): ProviderAdapter {
  const prepared = new WeakMap<UpstreamTarget, Prepared>();
  const prepare = (target: UpstreamTarget): Prepared => {
    let entry = prepared.get(target);
    if (entry === undefined) {
      const base = target.baseUrl.replace(/\/+$/, '');
      const headers: Record<string, string> = { 'content-type': 'application/json', ...target.headers };
      if (target.apiKey !== undefined && target.apiKey !== '') headers.authorization = `Bearer ${target.apiKey}`;
      entry = {
        hooks: vendorHooks(target.options?.vendor),
        headers,
        origin: safeOrigin(base),
        chatUrl: `${base}/chat/completions`,
        completionsUrl: `${base}/completions`,
        embeddingsUrl: `${base}/embeddings`,
      };
      prepared.set(target, entry);
    }
    return entry;
  };

  async function post(url: string, body: unknown, p: Prepared, context: CallContext, stream: boolean): Promise<HttpResponse> {
    const response = await context.transport({
      method: 'POST',
      url,
      headers: callHeaders(p.headers, stream, context.requestId),
      body: JSON.stringify(body),
      signal: context.signal,
    });
    if (response.status < 200 || response.status >= 300) throw await upstreamError(response, p.origin);
    return response;
  }

  return {
    id: 'openai-compatible',

    async chat(request: ChatRequest, target: UpstreamTarget, context: CallContext): Promise<ChatResponse> {
      const p = prepare(target);
      const response = await post(p.chatUrl, convertChatRequest(request, target.upstreamModel, p.hooks, false), p, context, false);
      return convertChatResponse((await response.json()) as WireChatResponse, p.origin);
    },

    async streamChat(request: ChatRequest, target: UpstreamTarget, context: CallContext): Promise<EventBatches> {
      const p = prepare(target);
      const response = await post(p.chatUrl, convertChatRequest(request, target.upstreamModel, p.hooks, true), p, context, true);
      return convertChatStream(response.body, p.origin, 'chat');
    },

    async complete(request: CompletionRequest, target: UpstreamTarget, context: CallContext): Promise<CompletionResponse> {
      const p = prepare(target);
      const body = convertCompletionRequest(request, target.upstreamModel, p.hooks, false);
      const response = await post(p.completionsUrl, body, p, context, false);
      return convertCompletionResponse((await response.json()) as WireChatResponse, p.origin);
    },

    async streamComplete(request: CompletionRequest, target: UpstreamTarget, context: CallContext): Promise<EventBatches> {
      const p = prepare(target);
      const body = convertCompletionRequest(request, target.upstreamModel, p.hooks, true);
      const response = await post(p.completionsUrl, body, p, context, true);
      return convertChatStream(response.body, p.origin, 'completion');
    },

    renderPrompt(request: ChatRequest, target: UpstreamTarget): string | undefined {
      if (target.options?.['chatTemplate'] !== 'chatml') return undefined;
      // The body this adapter sends, rendered as a ChatML engine renders it (src/tokenizer/chat-template.ts).
      const body = convertChatRequest(request, target.upstreamModel, prepare(target).hooks, request.stream);
      return renderOpenAIChat(body['messages'], body['tools']);
    },

    async embed(request: EmbeddingRequest, target: UpstreamTarget, context: CallContext): Promise<EmbeddingResponse> {
      const p = prepare(target);
      const response = await post(p.embeddingsUrl, convertEmbeddingRequest(request, target.upstreamModel), p, context, false);
      return convertEmbeddingResponse((await response.json()) as WireEmbeddingResponse, p.origin);
    },
  };
}

/** The target's headers plus this call's (Object.assign, not spread: see convert-request.ts). */
function callHeaders(base: Record<string, string>, stream: boolean, requestId: string): Record<string, string> {
  const headers = Object.assign({}, base);
  if (stream) headers.accept = 'text/event-stream';
  headers['x-request-id'] = requestId;
  return headers;
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'upstream';
  }
}
