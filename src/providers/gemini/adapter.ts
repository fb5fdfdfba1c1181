import { GatewayError } from '../../errors/gateway-error.js';
import { UpstreamError } from '../../errors/upstream-error.js';
import type { CallContext, ProviderAdapter, UpstreamTarget } from '../../spec/adapter.js';
import type { EventBatches } from '../../spec/stream.js';
import type { HttpResponse } from '../../spec/transport.js';
import { prepend } from '../stream-runner.js';
import { convertRequest, type ConvertRequestOptions } from './convert-request.js';
import { convertResponse } from './convert-response.js';
import { GeminiStreamConverter, convertStream, readChunks, type StreamChunk } from './convert-stream.js';
import { convertEmbeddingRequest, convertEmbeddingResponse } from './embed.js';
import { errorFromResponse } from './errors.js';

export interface GeminiAdapterOptions {
  /** Wall clock for `retry-after` dates. */
  now?: () => number;
}

/**
 * `models/gemini-2.5-flash` and `gemini-2.5-flash` name the same model; tuned models live under
 * `tunedModels/`. The name is one path segment, so it is percent-encoded.
 */
export function modelPath(model: string): string {
  if (model.startsWith('tunedModels/')) return `tunedModels/${encodeURIComponent(model.slice('tunedModels/'.length))}`;
  return `models/${encodeURIComponent(model.replace(/^models\//, ''))}`;
}

/** `https://generativelanguage.googleapis.com` gets `/v1beta`; a base that already names a version keeps it. */
function apiBase(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return /\/v1(beta\d*|alpha)?$/.test(base) ? base : `${base}/v1beta`;
}

function requestOptions(target: UpstreamTarget): ConvertRequestOptions {
  const safety = target.options?.['safetySettings'];
  return Array.isArray(safety) ? { safetySettings: safety } : {};
}

/** The Gemini API (Google AI Studio keys) over REST, streaming as SSE. */
export function createGeminiAdapter(options: GeminiAdapterOptions = {}): ProviderAdapter {
  const now = options.now ?? (() => Date.now());

  async function post(target: UpstreamTarget, context: CallContext, method: string, body: unknown, query = ''): Promise<HttpResponse> {
    if (target.apiKey === undefined || target.apiKey === '') {
      throw new GatewayError('internal_error', `Gemini target ${target.baseUrl} has no apiKey.`);
    }
    const url = `${apiBase(target.baseUrl)}/${modelPath(target.upstreamModel)}:${method}${query}`;
    const response = await context.transport({
      method: 'POST',
      url,
      // The key goes in a header, never in `?key=`: URLs end up in logs (transport logs origins only, but
      // proxies and access logs do not).
      headers: { ...target.headers, 'content-type': 'application/json', 'x-goog-api-key': target.apiKey },
      body: JSON.stringify(body),
      signal: context.signal,
    });
    if (response.status < 200 || response.status > 299) throw await errorFromResponse(response, now());
    return response;
  }

  return {
    id: 'gemini',

    async chat(request, target, context) {
      const response = await post(target, context, 'generateContent', convertRequest(request, requestOptions(target)));
      return convertResponse(await response.json(), { requestId: context.requestId, model: target.upstreamModel });
    },

    async streamChat(request, target, context): Promise<EventBatches> {
      const response = await post(target, context, 'streamGenerateContent', convertRequest(request, requestOptions(target)), '?alt=sse');
      const chunks = readChunks(response.body)[Symbol.asyncIterator]();
      // As for Bedrock: an error as the first message (a 200 whose stream starts with {"error": …}) rejects,
      // so the gateway can retry elsewhere before the client has seen anything.
      let first: IteratorResult<StreamChunk>;
      try {
        first = await chunks.next();
      } catch (error) {
        await chunks.return(undefined);
        throw error;
      }
      if (first.done === true) throw new UpstreamError({ kind: 'protocol', message: 'Gemini answered with an empty stream' });
      if (first.value.kind === 'error') {
        await chunks.return(undefined);
        throw first.value.error;
      }
      return convertStream(prepend(first.value, chunks), new GeminiStreamConverter(context.requestId, target.upstreamModel));
    },

    /** `:countTokens` with the whole request as `generateContentRequest` (system, tools and all). */
    async countTokens(request, target, context): Promise<number> {
      const generateContentRequest = { model: modelPath(target.upstreamModel), ...convertRequest(request, requestOptions(target)) };
      const response = await post(target, context, 'countTokens', { generateContentRequest });
      const raw = (await response.json()) as { totalTokens?: unknown } | null;
      if (typeof raw?.totalTokens !== 'number') {
        throw new UpstreamError({ kind: 'protocol', message: 'Gemini countTokens answered without totalTokens' });
      }
      return raw.totalTokens;
    },

    async embed(request, target, context) {
      const path = modelPath(target.upstreamModel);
      const response = await post(target, context, 'batchEmbedContents', convertEmbeddingRequest(request, path));
      return convertEmbeddingResponse(await response.json(), request, target.upstreamModel);
    },
  };
}

export const geminiAdapter: ProviderAdapter = createGeminiAdapter();
