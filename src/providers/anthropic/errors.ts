import type { HttpResponse } from '../../spec/transport.js';
import { UpstreamError, parseRetryAfter } from '../../errors/upstream-error.js';

/**
 * Anthropic's error envelope (https://docs.anthropic.com/en/api/errors):
 * `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_…"}`,
 * with 400 invalid_request_error, 401 authentication_error, 403 permission_error, 404 not_found_error,
 * 413 request_too_large, 429 rate_limit_error, 500 api_error, 529 overloaded_error.
 */
export interface AnthropicErrorInfo {
  type: string;
  message: string;
}

export function readErrorEnvelope(body: unknown): AnthropicErrorInfo | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, message } = error as { type?: unknown; message?: unknown };
  return { type: typeof type === 'string' ? type : 'api_error', message: typeof message === 'string' ? message : '' };
}

/** The HTTP status an in-stream error type stands for (an `event: error` has no status of its own). */
export function statusForErrorType(type: string): number {
  switch (type) {
    case 'invalid_request_error':
      return 400;
    case 'authentication_error':
      return 401;
    case 'billing_error':
      return 402;
    case 'permission_error':
      return 403;
    case 'not_found_error':
      return 404;
    case 'request_too_large':
      return 413;
    case 'rate_limit_error':
      return 429;
    case 'timeout_error':
      return 504;
    case 'overloaded_error':
      return 529;
    default:
      return 500;
  }
}

/** A non-2xx answer → UpstreamError with status, the (trimmed) body and `retry-after`. */
export async function upstreamErrorFrom(response: HttpResponse): Promise<UpstreamError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The body could not be read; the status alone still says what happened.
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const info = readErrorEnvelope(parsed);
  const detail = info === undefined ? text.slice(0, 200) : `${info.type}: ${info.message}`;
  const retryAfterMs = parseRetryAfter(response.headers);
  return new UpstreamError({
    kind: 'status',
    status: response.status,
    message: `anthropic answered ${response.status}${detail === '' ? '' : ` (${detail})`}`,
    body: text.slice(0, 2000),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/**
 * An error envelope that arrived with a 2xx status (some proxies in front of Anthropic answer overload this
 * way). It is a failure all the same, with the status its type stands for.
 */
export function upstreamErrorFromEnvelope(info: AnthropicErrorInfo, body: string): UpstreamError {
  const status = statusForErrorType(info.type);
  return new UpstreamError({
    kind: 'status',
    status,
    message: `anthropic answered an error with a success status (${info.type}: ${info.message})`,
    body: body.slice(0, 2000),
  });
}
