import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH, nestingDepth, parseJsonObject } from './read-body.js';
import { GatewayError } from '../../errors/gateway-error.js';

test('nesting depth skips strings and escapes', () => {
  assert.equal(nestingDepth(Buffer.from('{"a":[1,{"b":"[[[{{{\\"]]"}]}'), 100), 3);
  assert.equal(nestingDepth(Buffer.from('[]'), 100), 1);
});

test('a deeply nested body is a 400 invalid_json, a normal one parses', () => {
  const depth = 100_000;
  const deep = Buffer.from(`{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`);
  assert.throws(() => parseJsonObject(deep), (error: unknown) => GatewayError.isInstance(error) && error.code === 'invalid_json' && error.message.includes(String(MAX_JSON_DEPTH)));
  assert.deepEqual(parseJsonObject(Buffer.from(`{"pad":"${'x'.repeat(5000)}","a":[[1]]}`)).a, [[1]]);
});
