/**
 * An error answered to the client in vLLM's OpenAI-compatible envelope (vLLM ≥ 0.10 wraps it in `error`,
 * as OpenAI does): `{"error":{"message","type","param","code"}}` with `type` the exception class name and
 * `code` the HTTP status, e.g. 404 `The model \`x\` does not exist.` with type NotFoundError.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, options: { type?: string; param?: string; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.type = options.type ?? defaultType(status);
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }

  body(): { error: { message: string; type: string; param: string | null; code: number } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.status } };
  }
}

function defaultType(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequestError';
    case 404:
      return 'NotFoundError';
    case 405:
      return 'MethodNotAllowedError';
    case 413:
      return 'RequestEntityTooLargeError';
    case 429:
      return 'RateLimitError';
    case 503:
      return 'ServiceUnavailableError';
    default:
      return status >= 500 ? 'InternalServerError' : 'BadRequestError';
  }
}

export function badRequest(message: string, param?: string): HttpError {
  return param === undefined ? new HttpError(400, message) : new HttpError(400, message, { param });
}
