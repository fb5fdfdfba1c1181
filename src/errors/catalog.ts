/**
 * The one error catalog: a closed list of codes, each with its HTTP status and its type in the OpenAI and
 * Anthropic error envelopes. Nothing else in the code base chooses a status for an error. `docs/errors.md`
 * renders this table, and a test keeps the two equal (after fastify's errors test).
 *
 * OpenAI types follow https://platform.openai.com/docs/guides/error-codes; Anthropic types follow
 * https://docs.anthropic.com/en/api/errors (400 invalid_request_error … 529 overloaded_error).
 */
export interface ErrorSpec {
  status: number;
  openaiType: string;
  anthropicType: string;
  /** Whether a client (or our own retry loop, for upstream errors) may retry the same request. */
  retryable: boolean;
  description: string;
}

export const ERROR_CATALOG = {
  invalid_json: {
    status: 400,
    openaiType: 'invalid_request_error',
    anthropicType: 'invalid_request_error',
    retryable: false,
    description: 'The body is not valid JSON.',
  },
  invalid_request: {
    status: 400,
    openaiType: 'invalid_request_error',
    anthropicType: 'invalid_request_error',
    retryable: false,
    description: 'A field is missing, has the wrong type or an invalid value; `param` names it.',
  },
  unsupported_feature: {
    status: 400,
    openaiType: 'invalid_request_error',
    anthropicType: 'invalid_request_error',
    retryable: false,
    description: 'The request asks for something the serving backend cannot do (e.g. embeddings from a chat-only provider).',
  },
  context_length_exceeded: {
    status: 400,
    openaiType: 'invalid_request_error',
    anthropicType: 'invalid_request_error',
    retryable: false,
    description: "Prompt plus requested output exceed the model's context window.",
  },
  missing_api_key: {
    status: 401,
    openaiType: 'invalid_request_error',
    anthropicType: 'authentication_error',
    retryable: false,
    description: 'No API key was sent and this gateway requires one.',
  },
  invalid_api_key: {
    status: 401,
    openaiType: 'invalid_request_error',
    anthropicType: 'authentication_error',
    retryable: false,
    description: 'The API key is unknown, revoked or expired.',
  },
  model_not_allowed: {
    status: 403,
    openaiType: 'invalid_request_error',
    anthropicType: 'permission_error',
    retryable: false,
    description: 'The API key may not use this model.',
  },
  metrics_unauthorized: {
    status: 401,
    openaiType: 'invalid_request_error',
    anthropicType: 'authentication_error',
    retryable: false,
    description: 'GET /metrics needs the metrics token (server.metricsToken).',
  },
  admin_forbidden: {
    status: 403,
    openaiType: 'invalid_request_error',
    anthropicType: 'permission_error',
    retryable: false,
    description: 'The admin API needs the admin token.',
  },
  model_not_found: {
    status: 404,
    openaiType: 'invalid_request_error',
    anthropicType: 'not_found_error',
    retryable: false,
    description: 'No model or alias of that name is configured.',
  },
  not_found: {
    status: 404,
    openaiType: 'invalid_request_error',
    anthropicType: 'not_found_error',
    retryable: false,
    description: 'No such route or resource.',
  },
  method_not_allowed: {
    status: 405,
    openaiType: 'invalid_request_error',
    anthropicType: 'invalid_request_error',
    retryable: false,
    description: 'The route exists but not with this HTTP method.',
  },
  request_too_large: {
    status: 413,
    openaiType: 'invalid_request_error',
    anthropicType: 'request_too_large',
    retryable: false,
    description: 'The body is larger than the configured limit (10 MB by default).',
  },
  unsupported_media_type: {
    status: 415,
    openaiType: 'invalid_request_error',
    anthropicType: 'invalid_request_error',
    retryable: false,
    description: 'The body is not `application/json`.',
  },
  rate_limit_exceeded: {
    status: 429,
    openaiType: 'requests',
    anthropicType: 'rate_limit_error',
    retryable: true,
    description: "The key's requests-per-minute limit is reached; `retry-after` says when to come back.",
  },
  token_limit_exceeded: {
    status: 429,
    openaiType: 'tokens',
    anthropicType: 'rate_limit_error',
    retryable: true,
    description: "The key's tokens-per-minute limit is reached (prompt plus max_tokens are reserved at admission).",
  },
  concurrency_limit_exceeded: {
    status: 429,
    openaiType: 'requests',
    anthropicType: 'rate_limit_error',
    retryable: true,
    description: "The key already has its maximum number of requests in flight.",
  },
  budget_exceeded: {
    status: 429,
    openaiType: 'insufficient_quota',
    anthropicType: 'rate_limit_error',
    retryable: false,
    description: "The key's or tenant's spending budget for the period is used up.",
  },
  capacity_exceeded: {
    status: 429,
    openaiType: 'requests',
    anthropicType: 'rate_limit_error',
    retryable: true,
    description: 'No replica can meet the latency objective now and the queue is full; `retry-after` estimates when one can.',
  },
  internal_error: {
    status: 500,
    openaiType: 'server_error',
    anthropicType: 'api_error',
    retryable: true,
    description: 'A bug in Switchyard. Logged with the request id.',
  },
  upstream_error: {
    status: 502,
    openaiType: 'server_error',
    anthropicType: 'api_error',
    retryable: true,
    description: 'The upstream answered with an error or an unreadable response, and retries and fallbacks were exhausted.',
  },
  upstream_unavailable: {
    status: 503,
    openaiType: 'server_error',
    anthropicType: 'overloaded_error',
    retryable: true,
    description: 'No healthy backend could take the request (all replicas down, overloaded or circuit-broken).',
  },
  upstream_timeout: {
    status: 504,
    openaiType: 'server_error',
    anthropicType: 'timeout_error',
    retryable: true,
    description: 'The upstream did not answer in time (connect, first byte, gap between chunks, or total).',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export const ERROR_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CATALOG, value);
}
