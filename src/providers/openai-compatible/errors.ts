import { UpstreamError, parseRetryAfter } from '../../errors/upstream-error.js';
import type { HttpResponse } from '../../spec/transport.js';

/**
 * A non-2xx answer → UpstreamError carrying the upstream's own message. Two error bodies are in use:
 * OpenAI's `{"error":{"message","type","param","code"}}` and vLLM's older top-level
 * `{"object":"error","message","type","param","code"}` (vllm/entrypoints/openai/protocol.py ErrorResponse);
 * Ollama and llama.cpp send `{"error":"text"}` or `{"error":{"message"}}`.
 */
export async function upstreamError(response: HttpResponse, origin: string): Promise<UpstreamError> {
  let body = '';
  try {
    body = (await response.text()).slice(0, 4000);
  } catch {
    // The body could not be read; the status alone decides.
  }
  const retryAfterMs = parseRetryAfter(response.headers);
  return new UpstreamError({
    kind: 'status',
    status: response.status,
    message: `${origin} answered ${response.status}: ${errorMessage(body) ?? 'no message'}`,
    body,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** The human message inside an error body, whichever of the shapes above it has. */
export function errorMessage(body: string): string | undefined {
  if (body === '') return undefined;
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = parsed.error;
    if (typeof error === 'string') return error;
    if (error !== null && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
      return (error as { message: string }).message;
    }
    if (typeof parsed.message === 'string') return parsed.message;
    if (typeof parsed.detail === 'string') return parsed.detail;
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return body.slice(0, 500);
}

/** `param` named by an OpenAI-shaped error body, if any. */
export function errorParam(body: string | undefined): string | undefined {
  if (body === undefined || body === '') return undefined;
  try {
    const parsed = JSON.parse(body) as { error?: { param?: unknown }; param?: unknown };
    const param = parsed.error?.param ?? parsed.param;
    return typeof param === 'string' ? param : undefined;
  } catch {
    return undefined;
  }
}
