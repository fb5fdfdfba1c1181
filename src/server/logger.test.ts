import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from './logger.js';

test('secrets and query strings never reach the log', () => {
  const lines: string[] = [];
  const logger = createLogger('debug', (line) => lines.push(line));
  logger.info('upstream call', {
    authorization: 'Bearer sk-live-123',
    headers: { 'x-api-key': 'sk-ant-456', accept: 'json' },
    apiKey: 'sk-789',
    url: 'https://generativelanguage.googleapis.com/v1beta/models/x:generate?key=AIza-secret',
    error: new Error('failed calling https://h/path?key=AIza-secret2'),
  });
  const text = lines.join('');
  for (const secret of ['sk-live-123', 'sk-ant-456', 'sk-789', 'AIza-secret', 'AIza-secret2']) assert.ok(!text.includes(secret), `${secret} leaked`);
  assert.match(text, /"accept":"json"/);
  assert.match(text, /models\/x:generate\?\[redacted\]/);
});

test('records below the level cost nothing and are not written', () => {
  const lines: string[] = [];
  const logger = createLogger('warn', (line) => lines.push(line));
  logger.debug('x');
  logger.info('y');
  logger.warn('z');
  assert.equal(lines.length, 1);
  assert.equal(logger.enabled('debug'), false);
});
