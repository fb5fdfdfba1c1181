import { ERROR_CATALOG, type ErrorCode } from './catalog.js';

const MARKER = Symbol.for('switchyard.gateway-error');

export interface GatewayErrorOptions {
  /** The request field at fault, in the client's own naming (`messages[0].content`). */
  param?: string;
  /** When the client may come back; rendered as `retry-after` (seconds, rounded up). */
  retryAfterMs?: number;
  /** Extra response headers (rate-limit headers, …). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * Every error Switchyard answers with. The code decides the status and the envelope types; checks work
 * across module copies through a registered symbol (after undici's and the AI SDK's error markers).
 */
export class GatewayError extends Error {
  readonly [MARKER] = true;
  readonly code: ErrorCode;
  readonly param: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.param = options.param;
    this.retryAfterMs = options.retryAfterMs;
    this.headers = options.headers;
  }

  get status(): number {
    return ERROR_CATALOG[this.code].status;
  }

  static isInstance(value: unknown): value is GatewayError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}
