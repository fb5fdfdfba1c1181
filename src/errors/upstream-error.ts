import { GatewayError } from './gateway-error.js';
import type { ErrorCode } from './catalog.js';

export type UpstreamFailureKind =
  /** Could not connect, connection reset, DNS failure. Safe to retry: nothing was processed. */
  | 'connect'
  /** A timeout fired (connect, first byte, chunk gap, total). */
  | 'timeout'
  /** The upstream answered with a non-2xx status. */
  | 'status'
  /** The upstream answered 2xx with a body we could not read (bad JSON, broken stream framing). */
  | 'protocol';

export interface UpstreamErrorInit {
  kind: UpstreamFailureKind;
  message: string;
  status?: number;
  /** The upstream's error body, trimmed; kept for logs and for passing the upstream's message on. */
  body?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * An upstream call failed. Adapters throw it; the dispatch loop decides from `retryable` whether to try
 * another replica or the next model in the fallback chain, and otherwise renders it as 502/503/504 —
 * never as 200 (Portkey #267).
 */
export class UpstreamError extends GatewayError {
  readonly kind: UpstreamFailureKind;
  readonly upstreamStatus: number | undefined;
  readonly body: string | undefined;

  constructor(init: UpstreamErrorInit) {
    super(codeFor(init), init.message, {
      ...(init.retryAfterMs === undefined ? {} : { retryAfterMs: init.retryAfterMs }),
      cause: init.cause,
    });
    this.name = 'UpstreamError';
    this.kind = init.kind;
    this.upstreamStatus = init.status;
    this.body = init.body;
  }

  /**
   * Worth trying elsewhere: connection failures, timeouts, 408, 409, 429 and 5xx (the AI SDK's and the
   * OpenAI SDK's defaults). A 4xx other than those is the request's fault and would fail anywhere.
   */
  get retryable(): boolean {
    if (this.kind !== 'status') return this.kind !== 'protocol';
    const status = this.upstreamStatus ?? 0;
    return status === 408 || status === 409 || status === 429 || status >= 500;
  }

  static isUpstream(value: unknown): value is UpstreamError {
    return value instanceof UpstreamError;
  }
}

function codeFor(init: UpstreamErrorInit): ErrorCode {
  if (init.kind === 'timeout') return 'upstream_timeout';
  if (init.kind === 'connect') return 'upstream_unavailable';
  if (init.kind === 'status') {
    const status = init.status ?? 502;
    if (status === 429 || status === 503 || status === 529) return 'upstream_unavailable';
    if (status === 504 || status === 408) return 'upstream_timeout';
  }
  return 'upstream_error';
}

/**
 * Parses `retry-after` (seconds or HTTP date, RFC 9110 §10.2.3) and the non-standard `retry-after-ms`
 * that OpenAI sends; returns milliseconds from `nowMs`, or undefined when absent or unreadable.
 */
export function parseRetryAfter(
  headers: Record<string, string | string[] | undefined>,
  nowMs: number = Date.now(),
): number | undefined {
  const ms = first(headers['retry-after-ms']);
  if (ms !== undefined) {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const raw = first(headers['retry-after']);
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
