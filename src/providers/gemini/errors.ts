import { UpstreamError, parseRetryAfter } from '../../errors/upstream-error.js';
import type { HttpResponse } from '../../spec/transport.js';
import type { ErrorBody } from './wire-types.js';

/**
 * Gemini errors are Google's standard envelope `{"error": {"code", "message", "status", "details"}}`
 * (400 INVALID_ARGUMENT / FAILED_PRECONDITION, 403 PERMISSION_DENIED, 404 NOT_FOUND, 429 RESOURCE_EXHAUSTED,
 * 500 INTERNAL, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED — Gemini API troubleshooting guide). A 429 usually
 * has no `retry-after` header; the delay is in a `google.rpc.RetryInfo` detail as `retryDelay: "34.4s"`
 * (recorded in vercel/ai packages/google/src/__fixtures__/google-429-retry-info.json).
 */
export async function errorFromResponse(response: HttpResponse, nowMs: number): Promise<UpstreamError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The status alone still says what happened.
  }
  const parsed = parse(text);
  const retryAfterMs = parseRetryAfter(response.headers, nowMs) ?? retryDelayMs(parsed);
  return new UpstreamError({
    kind: 'status',
    status: response.status,
    message: describe(parsed, `HTTP ${response.status}`),
    body: text.slice(0, 2000),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** An error object sent inside a 200 SSE stream (`data: {"error": {...}}`). */
export function errorFromBody(body: ErrorBody): UpstreamError {
  const status = typeof body.error?.code === 'number' ? body.error.code : 500;
  const retryAfterMs = retryDelayMs(body);
  return new UpstreamError({
    kind: 'status',
    status,
    message: describe(body, `code ${status}`),
    body: JSON.stringify(body).slice(0, 2000),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

function describe(body: ErrorBody | undefined, fallback: string): string {
  const status = body?.error?.status;
  const message = body?.error?.message;
  return `Gemini ${status ?? 'error'} (${fallback})${message === undefined ? '' : `: ${message}`}`;
}

function parse(text: string): ErrorBody | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value)) return value[0] as ErrorBody | undefined; // some proxies wrap it in an array
    return typeof value === 'object' && value !== null ? (value as ErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

/** `google.rpc.RetryInfo.retryDelay` is a protobuf Duration in JSON: decimal seconds with an `s`. */
function retryDelayMs(body: ErrorBody | undefined): number | undefined {
  for (const detail of body?.error?.details ?? []) {
    if (detail['@type'] !== 'type.googleapis.com/google.rpc.RetryInfo') continue;
    const delay = detail['retryDelay'];
    const match = typeof delay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(delay) : null;
    if (match !== null) return Math.round(Number(match[1]) * 1000);
  }
  return undefined;
}
