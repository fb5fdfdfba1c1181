import type { ChatRequest } from '../../spec/request.js';
import { object } from './check.js';
import { parseCommon } from './parse-request.js';

/**
 * `POST /v1/messages/count_tokens` (https://docs.anthropic.com/en/api/messages-count-tokens): the body of a
 * messages request without `max_tokens` and `stream`; the answer is `{ input_tokens }`.
 */
export function parseCountTokensRequest(body: unknown): ChatRequest {
  const raw = { ...object(body, '') };
  // Clients built on the SDK's create params sometimes send these too; they do not change the count.
  delete raw['max_tokens'];
  delete raw['stream'];
  return parseCommon(raw);
}

export function renderCountTokens(inputTokens: number): { input_tokens: number } {
  return { input_tokens: inputTokens };
}
