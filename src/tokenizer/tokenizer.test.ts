import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countTokens, encode, tokenize } from './tokenizer.js';
import { chainBlockHashes } from '../util/hash.js';

test('tokenize round-trips and counts agree', () => {
  const text = "Hello, world! It's 2026 and internationalization is hard.\n\n  Done.";
  const pieces = tokenize(text);
  assert.equal(pieces.join(''), text);
  assert.equal(countTokens(text), pieces.length);
  assert.deepEqual(encode(text), encode(text));
});

test('about four characters per token on English prose', () => {
  const prose =
    'The scheduler places every request on the cheapest replica that still meets its latency objective, ' +
    'taking into account the prefix cache, the queue and the price of each accelerator in the fleet.';
  const ratio = prose.length / countTokens(prose);
  assert.ok(ratio > 3.5 && ratio < 6.5, `chars per token ${ratio}`);
});

test('block hash chains share a prefix exactly as far as the tokens do', () => {
  const a = encode('one two three four five six seven eight nine ten eleven twelve');
  const b = [...a.slice(0, 8), 1, 2, 3, 4];
  const ha = chainBlockHashes(a, 4);
  const hb = chainBlockHashes(b, 4);
  assert.equal(ha.length, 3);
  assert.equal(ha[0], hb[0]);
  assert.equal(ha[1], hb[1]);
  assert.notEqual(ha[2], hb[2]);
  assert.ok(ha.every((h) => Number.isSafeInteger(h) && h >= 0));
});
