import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../config/load.js';
import type { CompletionRecord } from './lifecycle.js';
import { PricingView } from './request-pricing.js';
import { tenancyOptions, toUsageRecord } from './tenancy-hooks.js';

const config = validateConfig({
  backends: [
    { name: 'api', model: 'gpt-4o', replicas: ['http://127.0.0.1:1/v1'], price: { inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 } },
    { name: 'dear', model: 'gpt-4o', replicas: ['http://127.0.0.1:2/v1'], price: { inputPerMTok: 5, outputPerMTok: 20 } },
    { name: 'h100', model: 'llama', replicas: [{ id: 'h0', url: 'http://127.0.0.1:3/v1' }], usdPerHour: 3.6, watts: 700 },
    { name: 'free', model: 'llama', replicas: ['http://127.0.0.1:4/v1'] },
  ],
  models: [{ name: 'gpt', backends: ['api', 'dear'], aliases: ['g'] }, { name: 'llama', backends: ['h100', 'free'] }],
});
const backends = new Map(config.backends.map((b) => [b.name, b]));
const usage = { inputTokens: 1000, cachedInputTokens: 800, cacheWriteTokens: undefined, outputTokens: 100, reasoningTokens: undefined };
const record = (over: Partial<CompletionRecord>): CompletionRecord => ({
  requestId: 'r', endpoint: 'chat', surface: 'openai', model: 'gpt', usage, stream: false, latencyMs: 2000, status: 200, attempts: 1, tags: [], startedAt: 0, ...over,
});

test('cost: token prices for API pools, the replica share of $/hour for self-hosted ones', () => {
  const pricing = new PricingView(config, backends, (id) => (id === 'h0' ? 3 : 0));
  assert.ok(Math.abs((pricing.cost(record({ pool: 'api' })) ?? 0) - (200 * 2.5 + 800 * 1.25 + 100 * 10) / 1e6) < 1e-15);
  // 3 other requests in flight on h0 when this one ended: a quarter of 2 s of a $3.60/h replica.
  assert.ok(Math.abs((pricing.cost(record({ pool: 'h100', replica: 'h0' })) ?? 0) - 0.0005) < 1e-15);
  assert.equal(pricing.energy(record({ pool: 'h100', replica: 'h0' })), (700 * 2 * 0.25));
  assert.equal(pricing.energy(record({ pool: 'api' })), undefined, 'no joules for an API we cannot see');
  assert.equal(pricing.cost(record({ pool: 'free' })), undefined, 'no price is unknown, not free');
  assert.equal(pricing.cost(record({})), 0, 'never dispatched: nothing spent');
  assert.equal(pricing.cost(record({ pool: 'api', usage: { ...usage, outputTokens: undefined } })), undefined);
  assert.equal(pricing.cost(record({ pool: 'api', usage: { ...usage, inputTokens: 10 } })), undefined, 'inconsistent usage: no bill');
});

test('estimate: the worst case over the model\'s priced pools, by name or alias', () => {
  const pricing = new PricingView(config, backends, undefined);
  assert.equal(pricing.estimate('g', 1000, 100), (1000 * 5 + 100 * 20) / 1e6);
  assert.equal(pricing.estimate('llama', 1000, 100), 0);
});

test('ledger row from the gateway record: epoch times, principal, tags', () => {
  const pricing = new PricingView(config, backends, undefined);
  const row = toUsageRecord(record({ pool: 'api', replica: 'api-0', principal: { tenant: 'acme', keyId: 'k' }, tags: ['team=search', 'canary'], ttftMs: 120 }), 1_700_000_002_000, pricing);
  assert.equal(row.startedAt, 1_700_000_000_000);
  assert.equal(row.tenant, 'acme');
  assert.equal(row.keyId, 'k');
  assert.deepEqual(row.tags, { team: 'search', canary: 'true' });
});

test('tenancy options from the config: Postgres wins over SQLite; admin token from the environment', () => {
  const withPg = validateConfig({ ...config, tenancy: { postgres: 'postgres://x/y', redis: 'redis://r' } });
  const o = tenancyOptions(withPg, { SWITCHYARD_ADMIN_TOKEN: 'from-env-token-123456' });
  assert.equal(o.postgres, 'postgres://x/y');
  assert.equal(o.sqlitePath, undefined);
  assert.equal(o.redis, 'redis://r');
  assert.equal(o.adminToken, 'from-env-token-123456');
  assert.equal(tenancyOptions(config, {}).adminToken, undefined);
});
