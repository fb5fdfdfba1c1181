/**
 * The Anthropic Messages API surface: `POST /v1/messages` and `POST /v1/messages/count_tokens`.
 * Parsing validates a client body into the canonical ChatRequest (errors name the field the way Anthropic
 * does); rendering turns canonical responses and stream events back into Anthropic's wire format.
 */
export { parseMessagesRequest } from './parse-request.js';
export { renderMessagesResponse, type RenderMessageOptions } from './render-response.js';
export { MessagesStreamRenderer, type RenderStreamOptions } from './render-stream.js';
export { parseCountTokensRequest, renderCountTokens } from './count-tokens.js';
