import { ERROR_CATALOG, isErrorCode } from '../../errors/catalog.js';
import { toGatewayError } from '../../errors/render.js';
import { encodeSse } from '../../util/sse.js';

/**
 * Anthropic's in-stream error (https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events):
 * `event: error` with `{"type":"error","error":{"type":…,"message":…}}`. The SDK turns it into an APIError
 * of that type, so the type must be one of Anthropic's (https://docs.anthropic.com/en/api/errors).
 */
const ANTHROPIC_ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
]);

function typeForStatus(status: number | undefined): string {
  if (status === undefined) return 'api_error';
  if (status === 529 || status === 503) return 'overloaded_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 504 || status === 408) return 'timeout_error';
  if (status === 413) return 'request_too_large';
  if (status === 404) return 'not_found_error';
  if (status === 403) return 'permission_error';
  if (status === 401) return 'authentication_error';
  if (status >= 400 && status < 500) return 'invalid_request_error';
  return 'api_error';
}

/** The Anthropic error type for a canonical `error` event: a catalog code, an Anthropic type, or a status. */
export function errorTypeFor(code: string, status?: number): string {
  if (isErrorCode(code)) return ERROR_CATALOG[code].anthropicType;
  if (ANTHROPIC_ERROR_TYPES.has(code)) return code;
  return typeForStatus(status);
}

export function errorFrame(type: string, message: string): string {
  return encodeSse(JSON.stringify({ type: 'error', error: { type, message } }), 'error');
}

export function errorFrameForEvent(code: string, message: string, status?: number): string {
  return errorFrame(errorTypeFor(code, status), message);
}

/** An exception from the event iterator: GatewayErrors keep their catalog type; anything else is api_error. */
export function errorFrameForException(error: unknown): string {
  const gatewayError = toGatewayError(error);
  return errorFrame(ERROR_CATALOG[gatewayError.code].anthropicType, gatewayError.message);
}
