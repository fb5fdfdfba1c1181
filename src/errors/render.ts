import { ERROR_CATALOG } from './catalog.js';
import { GatewayError } from './gateway-error.js';
import type { Surface } from '../spec/request.js';

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** Anything thrown becomes a GatewayError; what is not one already is an internal error. */
export function toGatewayError(error: unknown): GatewayError {
  if (GatewayError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new GatewayError('internal_error', `internal error: ${message}`, { cause: error });
}

/**
 * Renders an error in the envelope of the surface the client called:
 * OpenAI `{error:{message,type,param,code}}`, Anthropic `{type:'error',error:{type,message},request_id}`.
 */
export function renderError(error: unknown, surface: Surface, requestId?: string): RenderedError {
  const gatewayError = toGatewayError(error);
  const spec = ERROR_CATALOG[gatewayError.code];
  const headers: Record<string, string> = { ...gatewayError.headers };
  if (gatewayError.retryAfterMs !== undefined) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(gatewayError.retryAfterMs / 1000)));
  }
  if (requestId !== undefined) headers['x-request-id'] = requestId;
  const body =
    surface === 'anthropic'
      ? {
          type: 'error',
          error: { type: spec.anthropicType, message: gatewayError.message },
          ...(requestId === undefined ? {} : { request_id: requestId }),
        }
      : {
          error: {
            message: gatewayError.message,
            type: spec.openaiType,
            param: gatewayError.param ?? null,
            code: gatewayError.code,
          },
        };
  return { status: spec.status, headers, body };
}
