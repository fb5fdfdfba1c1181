export { ERROR_CATALOG, ERROR_CODES, isErrorCode, type ErrorCode, type ErrorSpec } from './catalog.js';
export { GatewayError, type GatewayErrorOptions } from './gateway-error.js';
export { UpstreamError, parseRetryAfter, type UpstreamErrorInit, type UpstreamFailureKind } from './upstream-error.js';
export { renderError, toGatewayError, type RenderedError } from './render.js';
