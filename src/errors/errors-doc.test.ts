import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderErrorTable, TABLE_END, TABLE_START } from './errors-doc.js';
import { ERROR_CATALOG } from './catalog.js';
import { renderError } from './render.js';
import { GatewayError } from './gateway-error.js';
import { UpstreamError, parseRetryAfter } from './upstream-error.js';

test('docs/errors.md holds exactly the catalog (regenerate with `node --import tsx scripts/gen-error-doc.ts`)', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  assert.ok(start >= 0 && end > start, 'markers present');
  assert.equal(doc.slice(start + TABLE_START.length, end).trim(), renderErrorTable());
});

test('every 5xx-class upstream failure renders as a 5xx, never 200', () => {
  for (const status of [500, 502, 503, 504, 529]) {
    const rendered = renderError(new UpstreamError({ kind: 'status', status, message: 'x' }), 'openai');
    assert.ok(rendered.status >= 500, `upstream ${status} → ${rendered.status}`);
  }
  assert.equal(renderError(new UpstreamError({ kind: 'connect', message: 'refused' }), 'openai').status, 503);
  assert.equal(renderError(new UpstreamError({ kind: 'timeout', message: 'slow' }), 'anthropic').status, 504);
});

test('OpenAI and Anthropic envelopes', () => {
  const error = new GatewayError('model_not_found', 'no model "x"', { param: 'model' });
  assert.deepEqual(renderError(error, 'openai').body, {
    error: { message: 'no model "x"', type: 'invalid_request_error', param: 'model', code: 'model_not_found' },
  });
  assert.deepEqual(renderError(error, 'anthropic', 'req_1').body, {
    type: 'error',
    error: { type: 'not_found_error', message: 'no model "x"' },
    request_id: 'req_1',
  });
  assert.equal(renderError(new Error('boom'), 'openai').status, 500);
});

test('retry-after rounds up to whole seconds', () => {
  const rendered = renderError(new GatewayError('rate_limit_exceeded', 'slow down', { retryAfterMs: 1200 }), 'openai');
  assert.equal(rendered.status, ERROR_CATALOG.rate_limit_exceeded.status);
  assert.equal(rendered.headers['retry-after'], '2');
});

test('parseRetryAfter reads seconds, HTTP dates and retry-after-ms', () => {
  assert.equal(parseRetryAfter({ 'retry-after': '3' }), 3000);
  assert.equal(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '3' }), 250);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now), 5000);
  assert.equal(parseRetryAfter({ 'retry-after': 'soon' }), undefined);
  assert.equal(parseRetryAfter({}), undefined);
});

test('upstream retryability follows the status', () => {
  const retryable = (status: number) => new UpstreamError({ kind: 'status', status, message: '' }).retryable;
  assert.equal(retryable(429), true);
  assert.equal(retryable(500), true);
  assert.equal(retryable(400), false);
  assert.equal(retryable(404), false);
  assert.equal(new UpstreamError({ kind: 'connect', message: '' }).retryable, true);
});
