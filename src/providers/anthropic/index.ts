export { AnthropicAdapter, ANTHROPIC_VERSION, createAnthropicAdapter, endpoint } from './anthropic-adapter.js';
export { toAnthropicRequest, toCountTokensRequest } from './convert-request.js';
export { fromAnthropicResponse } from './convert-response.js';
export { fromAnthropicStream } from './convert-stream.js';
export { fromAnthropicUsage, toAnthropicUsage, mergeUsage } from './convert-usage.js';
export { fromStopReason, toStopReason } from './map-stop-reason.js';
