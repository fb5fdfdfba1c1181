import type { CancelSignal } from './cancel.js';
import type { Clock } from './clock.js';
import type { ChatRequest, CompletionRequest, EmbeddingRequest } from './request.js';
import type { ChatResponse, CompletionResponse, EmbeddingResponse } from './response.js';
import type { EventBatches } from './stream.js';
import type { HttpTransport } from './transport.js';

/** Where one call goes: a replica of a self-hosted pool, or a provider endpoint. */
export interface UpstreamTarget {
  /** Base URL, e.g. `http://10.0.0.5:8000/v1`, `https://api.anthropic.com`, `https://bedrock-runtime.us-east-1.amazonaws.com`. */
  baseUrl: string;
  /** The model id the upstream knows (may differ from the public name). */
  upstreamModel: string;
  apiKey?: string;
  /** Extra headers to send (from config). */
  headers?: Record<string, string>;
  /** Adapter-specific settings from config (AWS region and credentials, API version, vendor quirks). */
  options?: Record<string, unknown>;
}

export interface CallContext {
  transport: HttpTransport;
  /** Aborted when the client disconnects or a timeout fires; adapters pass it to the transport. */
  signal: CancelSignal;
  requestId: string;
  clock: Clock;
}

/**
 * One adapter per upstream family (openai-compatible, anthropic, bedrock, gemini). Implementations live in
 * `src/providers/<name>/`; nothing outside that folder knows a provider's wire format.
 *
 * Errors: an upstream that answers with a failure status, or cannot be reached, makes the call reject with
 * an `UpstreamError` (src/errors) carrying status, retryability and `retry-after`. A streaming call resolves
 * only once the upstream accepted the request, so the gateway can still retry elsewhere; failures after
 * that arrive as an `error` event in the stream.
 */
export interface ProviderAdapter {
  readonly id: string;
  chat(request: ChatRequest, target: UpstreamTarget, context: CallContext): Promise<ChatResponse>;
  streamChat(request: ChatRequest, target: UpstreamTarget, context: CallContext): Promise<EventBatches>;
  complete?(request: CompletionRequest, target: UpstreamTarget, context: CallContext): Promise<CompletionResponse>;
  streamComplete?(
    request: CompletionRequest,
    target: UpstreamTarget,
    context: CallContext,
  ): Promise<EventBatches>;
  embed?(request: EmbeddingRequest, target: UpstreamTarget, context: CallContext): Promise<EmbeddingResponse>;
  /**
   * The text the engine behind `target` will tokenize for this chat request, where the adapter knows the
   * engine's chat template (configured per backend, `chatTemplate`). The gateway hashes it into the
   * request's prompt blocks, so cache-aware routing matches what the engine reports in its KV events;
   * undefined means "not known" and the gateway hashes the prompt's plain text.
   */
  renderPrompt?(request: ChatRequest, target: UpstreamTarget): string | undefined;
  /** Exact prompt token count from the provider, where it offers one (Anthropic count_tokens). */
  countTokens?(request: ChatRequest, target: UpstreamTarget, context: CallContext): Promise<number>;
}
