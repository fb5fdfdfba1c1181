import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Usage } from '../spec/usage.js';
import { estimateCost, requestCost, serviceTimeCost, tokenCost, type ModelPrice } from './pricing.js';

// List prices used as fixtures (dollars per million tokens), as published by the providers:
// Anthropic Claude Sonnet 4: input 3, cache write (5 min) 3.75, cache read 0.30, output 15
// (https://docs.anthropic.com/en/docs/about-claude/pricing). OpenAI gpt-4o: input 2.50, cached input 1.25,
// output 10 (https://platform.openai.com/docs/pricing).
const sonnet: ModelPrice = { inputPerMTok: 3, cacheWritePerMTok: 3.75, cachedInputPerMTok: 0.3, outputPerMTok: 15 };
const gpt4o: ModelPrice = { inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 };

const usage = (u: Partial<Usage>): Usage => ({
  inputTokens: undefined,
  cachedInputTokens: undefined,
  cacheWriteTokens: undefined,
  outputTokens: undefined,
  reasoningTokens: undefined,
  ...u,
});
const close = (actual: number | undefined, expected: number): void => {
  assert.ok(actual !== undefined, 'cost should be known');
  assert.ok(Math.abs(actual - expected) < 1e-12, `expected ${expected}, got ${actual}`);
};

test('Anthropic cache reads are billed at the cache-read price, not as input (LiteLLM #11789)', () => {
  // A Claude Code turn: 100 000 tokens read from cache, 50 fresh, 500 out.
  const u = usage({ inputTokens: 100_050, cachedInputTokens: 100_000, cacheWriteTokens: 0, outputTokens: 500 });
  const b = tokenCost(u, sonnet);
  assert.ok(b);
  close(b.uncachedInputUsd, 0.00015);
  close(b.cachedInputUsd, 0.03);
  close(b.outputUsd, 0.0075);
  close(b.totalUsd, 0.03765);
  // The bug billed every prompt token as input: 0.30765, 8.2× too much.
  const wrong = (100_050 * 3 + 500 * 15) / 1e6;
  assert.ok(wrong / b.totalUsd > 8);
});

test('cache writes cost their own (higher) price', () => {
  const b = tokenCost(usage({ inputTokens: 10_000, cachedInputTokens: 0, cacheWriteTokens: 8_000, outputTokens: 100 }), sonnet);
  close(b?.cacheWriteUsd, 0.03);
  close(b?.uncachedInputUsd, 0.006);
  close(b?.totalUsd, 0.006 + 0.03 + 0.0015);
});

test('OpenAI cached tokens get the 50% discount once (LiteLLM #6215) and are not dropped (#36168)', () => {
  const b = tokenCost(usage({ inputTokens: 10_000, cachedInputTokens: 9_984, outputTokens: 100, reasoningTokens: 40 }), gpt4o);
  close(b?.totalUsd, (16 * 2.5 + 9_984 * 1.25 + 100 * 10) / 1e6);
  // Reasoning tokens are inside output: billed once.
  close(b?.outputUsd, 0.001);
});

test('a missing cached price falls back to the input price', () => {
  close(tokenCost(usage({ inputTokens: 1000, cachedInputTokens: 500, outputTokens: 0 }), { inputPerMTok: 1, outputPerMTok: 2 })?.totalUsd, 0.001);
});

test('unknowns: unknown input or output → unknown cost; unknown cache counts → priced as input (upper bound)', () => {
  assert.equal(tokenCost(usage({ outputTokens: 10 }), gpt4o), undefined);
  assert.equal(tokenCost(usage({ inputTokens: 10 }), gpt4o), undefined);
  close(tokenCost(usage({ inputTokens: 1_000_000, outputTokens: 0 }), gpt4o)?.totalUsd, 2.5);
  // Zero is a known value, not unknown.
  close(tokenCost(usage({ inputTokens: 0, outputTokens: 0 }), gpt4o)?.totalUsd, 0);
});

test('cached + cache-write above input means the adapter broke the convention: refuse to bill', () => {
  // Anthropic reports input_tokens without the cache: an adapter that forgot to add it back.
  assert.throws(() => tokenCost(usage({ inputTokens: 50, cachedInputTokens: 100_000, outputTokens: 5 }), sonnet), RangeError);
});

test('admission estimate: full input price for the prompt, output price for all of max_tokens', () => {
  close(estimateCost(gpt4o, 1000, 500), (1000 * 2.5 + 500 * 10) / 1e6);
});

test('self-hosted: the replica\'s $/hour by service time and share', () => {
  // An H100 at $2.99/h: a request served for 1.2 s sharing the replica with 7 others.
  close(serviceTimeCost(2.99, 1200, 1 / 8), (2.99 * 1200) / 3_600_000 / 8);
  close(requestCost(usage({}), { kind: 'service-time', usdPerHour: 3.6, serviceMs: 1000 }), 0.001);
  assert.throws(() => serviceTimeCost(1, 1, 2), RangeError);
  close(requestCost(usage({ inputTokens: 1e6, outputTokens: 0 }), { kind: 'tokens', price: gpt4o }), 2.5);
});
