import type { CallContext, ProviderAdapter, UpstreamTarget } from '../../spec/adapter.js';
import type { ChatRequest } from '../../spec/request.js';
import type { ChatResponse } from '../../spec/response.js';
import type { EventBatches } from '../../spec/stream.js';
import type { HttpResponse } from '../../spec/transport.js';
import { UpstreamError } from '../../errors/upstream-error.js';
import { toAnthropicRequest, toCountTokensRequest } from './convert-request.js';
import { fromAnthropicResponse } from './convert-response.js';
import { fromAnthropicStream } from './convert-stream.js';
import { readErrorEnvelope, upstreamErrorFrom, upstreamErrorFromEnvelope } from './errors.js';

/** The API version this adapter speaks (https://docs.anthropic.com/en/api/versioning). */
export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * Adapter for Anthropic's Messages API (api.anthropic.com, or anything speaking it).
 * Target options: `version` (anthropic-version header), `beta` (anthropic-beta header),
 * `defaultMaxTokens` (max_tokens for requests that set none).
 */
export class AnthropicAdapter implements ProviderAdapter {
  readonly id = 'anthropic';

  async chat(request: ChatRequest, target: UpstreamTarget, context: CallContext): Promise<ChatResponse> {
    const body = toAnthropicRequest(request, Object.assign({ upstreamModel: target.upstreamModel, stream: false }, limits(target)));
    const response = await this.#post(request, target, '/messages', body, context, 'application/json');
    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      if (UpstreamError.isUpstream(error)) throw error;
      throw new UpstreamError({ kind: 'protocol', message: 'anthropic: the response body is not JSON', cause: error });
    }
    const envelope = (json as { type?: unknown } | null)?.type === 'error' ? readErrorEnvelope(json) : undefined;
    if (envelope !== undefined) throw upstreamErrorFromEnvelope(envelope, JSON.stringify(json));
    return fromAnthropicResponse(json);
  }

  async streamChat(request: ChatRequest, target: UpstreamTarget, context: CallContext): Promise<EventBatches> {
    const body = toAnthropicRequest(request, Object.assign({ upstreamModel: target.upstreamModel, stream: true }, limits(target)));
    const response = await this.#post(request, target, '/messages', body, context, 'text/event-stream');
    const contentType = String(response.headers['content-type'] ?? '');
    if (contentType.includes('application/json')) {
      // A JSON answer to a streaming call is an error envelope, or not Anthropic's API at all.
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const envelope = readErrorEnvelope(parsed);
      if (envelope !== undefined) throw upstreamErrorFromEnvelope(envelope, text);
      throw new UpstreamError({ kind: 'protocol', message: 'anthropic: a streaming call was answered with JSON', body: text.slice(0, 2000) });
    }
    return fromAnthropicStream(response.body);
  }

  async countTokens(request: ChatRequest, target: UpstreamTarget, context: CallContext): Promise<number> {
    const body = toCountTokensRequest(request, target.upstreamModel);
    const response = await this.#post(request, target, '/messages/count_tokens', body, context, 'application/json');
    const json = (await response.json()) as { input_tokens?: unknown };
    if (typeof json.input_tokens !== 'number') {
      throw new UpstreamError({ kind: 'protocol', message: 'anthropic: count_tokens answered without input_tokens' });
    }
    return json.input_tokens;
  }

  /** Sends the call; resolves only on a 2xx, so a failed call can still be retried elsewhere. */
  async #post(
    request: ChatRequest,
    target: UpstreamTarget,
    path: string,
    body: Record<string, unknown>,
    context: CallContext,
    accept: string,
  ): Promise<HttpResponse> {
    const response = await context.transport({
      method: 'POST',
      url: endpoint(target.baseUrl, path),
      headers: headers(target, accept, request),
      body: JSON.stringify(body),
      signal: context.signal,
    });
    if (response.status < 200 || response.status > 299) throw await upstreamErrorFrom(response);
    return response;
  }
}

/** A fresh adapter, for the provider registry's factory table. */
export function createAnthropicAdapter(): ProviderAdapter {
  return new AnthropicAdapter();
}

/** `https://api.anthropic.com` and `https://api.anthropic.com/v1` both work as base URLs. */
export function endpoint(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return base.endsWith('/v1') ? `${base}${path}` : `${base}/v1${path}`;
}

function headers(target: UpstreamTarget, accept: string, request: ChatRequest): Record<string, string> {
  const options = target.options ?? {};
  const out: Record<string, string> = {
    'content-type': 'application/json',
    accept,
    'anthropic-version': typeof options['version'] === 'string' ? options['version'] : ANTHROPIC_VERSION,
  };
  // Betas from config, plus an Anthropic client's own (they switch on the beta fields its `extra` carries).
  const betas = new Set<string>();
  const fromClient = request.surface === 'anthropic' ? request.headers?.['anthropic-beta'] : undefined;
  for (const list of [options['beta'], fromClient]) {
    if (typeof list === 'string') for (const beta of list.split(',')) if (beta.trim() !== '') betas.add(beta.trim());
  }
  if (betas.size > 0) out['anthropic-beta'] = [...betas].join(',');
  if (target.apiKey !== undefined) out['x-api-key'] = target.apiKey;
  return Object.assign(out, target.headers);
}

function limits(target: UpstreamTarget): { defaultMaxTokens?: number } {
  const value = target.options?.['defaultMaxTokens'];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? { defaultMaxTokens: value } : {};
}
