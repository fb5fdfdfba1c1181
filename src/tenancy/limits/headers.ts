import type { WindowState } from './types.js';

/**
 * A duration the way OpenAI writes `x-ratelimit-reset-*` (Go's duration style): `12ms`, `1s`, `59s`,
 * `6m0s`, `1h0m0s` (https://platform.openai.com/docs/guides/rate-limits, "Rate limits in headers").
 * Below a second we print milliseconds; above, whole seconds rounded up, so a client that waits the
 * printed time is never early.
 */
export function formatReset(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** OpenAI's six rate-limit headers, for the dimensions this key limits. */
export function rateLimitHeaders(requests: WindowState | undefined, tokens: WindowState | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (requests !== undefined) {
    headers['x-ratelimit-limit-requests'] = String(requests.limit);
    headers['x-ratelimit-remaining-requests'] = String(Math.max(0, Math.floor(requests.remaining)));
    headers['x-ratelimit-reset-requests'] = formatReset(requests.resetMs);
  }
  if (tokens !== undefined) {
    headers['x-ratelimit-limit-tokens'] = String(tokens.limit);
    headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, Math.floor(tokens.remaining)));
    headers['x-ratelimit-reset-tokens'] = formatReset(tokens.resetMs);
  }
  return headers;
}
