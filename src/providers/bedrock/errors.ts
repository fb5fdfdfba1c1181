import { UpstreamError, parseRetryAfter } from '../../errors/upstream-error.js';
import type { HttpResponse } from '../../spec/transport.js';

/**
 * Bedrock runtime errors. Over HTTP: a status, an `x-amzn-errortype` header such as
 * `ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/`, and a JSON body `{"message": …}`
 * (recorded in vercel/ai packages/amazon-bedrock/src/__fixtures__/amazon-bedrock-empty-message-validation-error.json).
 * Modelled errors and their statuses (AWS API reference, API_runtime_Converse "Errors"): ValidationException
 * 400, AccessDeniedException 403, ResourceNotFoundException 404, ModelTimeoutException 408, ModelErrorException
 * 424, ThrottlingException 429, ModelNotReadyException 429, ServiceQuotaExceededException 400 (Invoke),
 * InternalServerException 500, ServiceUnavailableException 503.
 */
export async function errorFromResponse(response: HttpResponse, nowMs: number): Promise<UpstreamError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The body could not be read; the status still says what happened.
  }
  const type = errorType(response.headers['x-amzn-errortype']) ?? typeFromBody(text);
  const message = messageFromBody(text);
  const retryAfterMs = parseRetryAfter(response.headers, nowMs);
  return new UpstreamError({
    kind: 'status',
    status: response.status,
    message: `Bedrock ${type ?? 'error'} (HTTP ${response.status})${message === undefined ? '' : `: ${message}`}`,
    body: text.slice(0, 2000),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

function errorType(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return undefined;
  return value.split(':')[0];
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function messageFromBody(text: string): string | undefined {
  const body = parse(text);
  const message = body?.['message'] ?? body?.['Message'];
  return typeof message === 'string' ? message : undefined;
}

function typeFromBody(text: string): string | undefined {
  const body = parse(text);
  const type = body?.['__type'] ?? body?.['code'];
  return typeof type === 'string' ? type.split('#').pop() : undefined;
}

/**
 * In-stream exceptions (ConverseStreamOutput members) and the HTTP status each one stands for, so that the
 * retry logic treats a throttle that arrives as an event like a 429 that arrived as a status
 * (Portkey #1047/#1142: Bedrock answers 200 and then sends an exception event).
 */
const EXCEPTION_STATUS: Record<string, number> = {
  throttlingException: 429,
  serviceUnavailableException: 503,
  internalServerException: 500,
  modelStreamErrorException: 500,
  validationException: 400,
  modelTimeoutException: 408,
  accessDeniedException: 403,
  resourceNotFoundException: 404,
  modelNotReadyException: 429,
  serviceQuotaExceededException: 429,
};

/** An `:message-type: exception` (or `error`) frame → UpstreamError with the status it stands for. */
export function errorFromException(exceptionType: string, payload: Uint8Array): UpstreamError {
  const text = Buffer.from(payload).toString('utf8');
  const body = parse(text);
  const message = typeof body?.['message'] === 'string' ? body['message'] : text.slice(0, 500);
  let status = EXCEPTION_STATUS[exceptionType] ?? 500;
  // modelStreamErrorException carries the model's own status (recorded frame: originalStatusCode 500).
  const original = body?.['originalStatusCode'];
  if (exceptionType === 'modelStreamErrorException' && typeof original === 'number' && original >= 400 && original <= 599) {
    status = original;
  }
  return new UpstreamError({
    kind: 'status',
    status,
    message: `Bedrock stream ${exceptionType}: ${message}`,
    body: text.slice(0, 2000),
  });
}
