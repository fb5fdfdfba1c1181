import { UpstreamError } from '../../errors/upstream-error.js';
import type { CallContext, ProviderAdapter, UpstreamTarget } from '../../spec/adapter.js';
import type { ChatRequest } from '../../spec/request.js';
import type { ChatResponse } from '../../spec/response.js';
import type { EventBatches } from '../../spec/stream.js';
import type { HttpResponse } from '../../spec/transport.js';
import { prepend } from '../stream-runner.js';
import { convertRequest } from './convert-request.js';
import { convertResponse } from './convert-response.js';
import { ConverseStreamConverter, convertStream, readFrame, type StreamFrame } from './convert-stream.js';
import { errorFromResponse } from './errors.js';
import { decodeEventStream } from './event-stream-codec.js';
import { signRequest } from './sigv4.js';
import { operationUrl, readTargetConfig } from './target-config.js';

export interface BedrockAdapterOptions {
  /** Wall clock for SigV4's `x-amz-date` (the injected Clock is monotonic, not calendar time). */
  now?: () => Date;
}

/** Amazon Bedrock through Converse and ConverseStream, signed with SigV4. */
export function createBedrockAdapter(options: BedrockAdapterOptions = {}): ProviderAdapter {
  const now = options.now ?? (() => new Date());

  async function send(
    request: ChatRequest,
    target: UpstreamTarget,
    context: CallContext,
    operation: 'converse' | 'converse-stream' | 'count-tokens',
  ): Promise<HttpResponse> {
    const config = readTargetConfig(target);
    const converse = convertRequest(request, {
      ...(config.requestMetadata === undefined ? {} : { requestMetadata: config.requestMetadata }),
      ...(config.passthrough === undefined ? {} : { passthrough: config.passthrough }),
    });
    // CountTokens takes the Converse input as `input.converse`, with messages and system only
    // (aws-sdk-js-v3 se_ConverseTokensRequest); tool definitions are not counted.
    const payload =
      operation === 'count-tokens'
        ? { input: { converse: converse.system === undefined ? { messages: converse.messages } : { messages: converse.messages, system: converse.system } } }
        : converse;
    const body = JSON.stringify(payload);
    const url = operationUrl(config.baseUrl, target.upstreamModel, operation);
    // The AWS SDK sends only content-type for both operations (aws-sdk-js-v3 se_ConverseStreamCommand).
    const base: Record<string, string> = { ...target.headers, 'content-type': 'application/json' };
    const headers =
      config.auth.kind === 'sigv4'
        ? signRequest({ method: 'POST', url, headers: base, body, region: config.region, service: 'bedrock', credentials: config.auth.credentials, now: now() })
        : { ...base, authorization: `Bearer ${config.auth.token}` };
    const response = await context.transport({ method: 'POST', url, headers, body, signal: context.signal });
    if (response.status < 200 || response.status > 299) throw await errorFromResponse(response, now().getTime());
    return response;
  }

  return {
    id: 'bedrock',

    async chat(request, target, context): Promise<ChatResponse> {
      const response = await send(request, target, context, 'converse');
      const raw = await response.json();
      return convertResponse(raw, { requestId: requestIdOf(response, context), model: target.upstreamModel });
    },

    async streamChat(request, target, context): Promise<EventBatches> {
      const response = await send(request, target, context, 'converse-stream');
      const frames = framesOf(response.body)[Symbol.asyncIterator]();
      // Read the first frame before resolving: Bedrock can answer 200 and then send an exception as its
      // first event (Portkey #1047/#1142). Rejecting here lets the gateway retry or fall back before the
      // client has seen a byte; the UpstreamError carries the status the exception stands for.
      let first: IteratorResult<StreamFrame>;
      try {
        first = await frames.next();
      } catch (error) {
        await frames.return?.(undefined);
        throw error;
      }
      if (first.done === true) {
        throw new UpstreamError({ kind: 'protocol', message: 'Bedrock ConverseStream answered with an empty stream' });
      }
      if (first.value.kind === 'exception') {
        await frames.return?.(undefined);
        throw first.value.error;
      }
      const converter = new ConverseStreamConverter(requestIdOf(response, context), target.upstreamModel);
      return convertStream(prepend(first.value, frames), converter);
    },

    /** CountTokens (`POST /model/{modelId}/count-tokens`): free, exact; Claude models only per AWS. */
    async countTokens(request, target, context): Promise<number> {
      const response = await send(request, target, context, 'count-tokens');
      const raw = (await response.json()) as { inputTokens?: unknown } | null;
      if (typeof raw?.inputTokens !== 'number') {
        throw new UpstreamError({ kind: 'protocol', message: 'Bedrock CountTokens answered without inputTokens' });
      }
      return raw.inputTokens;
    },
  };
}

async function* framesOf(body: AsyncIterable<Uint8Array>): AsyncGenerator<StreamFrame> {
  for await (const message of decodeEventStream(body)) yield readFrame(message);
}

function requestIdOf(response: HttpResponse, context: CallContext): string {
  const header = response.headers['x-amzn-requestid'];
  const value = Array.isArray(header) ? header[0] : header;
  return value ?? context.requestId;
}

export const bedrockAdapter: ProviderAdapter = createBedrockAdapter();
