import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { sseChunks, startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { startTestGateway, waitForRecords, type TestGateway } from '../support/gateway.js';
import { queryUsage } from '../../src/ledger/query.js';
import { createLogger } from '../../src/server/logger.js';
import { mountAdmin, tenancyHooks } from '../../src/server/tenancy-hooks.js';
import { validateConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { createKey } from '../../src/tenancy/keys.js';
import { Tenancy } from '../../src/tenancy/tenancy.js';
import { openaiFixture } from '../support/openai-fixtures.js';

const fixture = openaiFixture;
const tmp = mkdtempSync(join(tmpdir(), 'sy-e2e-tenancy-'));
const ADMIN = 'e2e-admin-token-0123456789';

// gpt-4o-mini list prices (https://platform.openai.com/docs/pricing): $0.15 in, $0.075 cached, $0.60 out per 1M.
const PRICE = { inputPerMTok: 0.15, cachedInputPerMTok: 0.075, outputPerMTok: 0.6 };

describe('tenancy wired into the gateway, driven by the OpenAI SDK', () => {
  let upstream: FixtureServer;
  let gw: TestGateway;
  let tenancy: Tenancy;
  const dbPath = join(tmp, 'gateway.db');
  const client = (apiKey: string) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey, maxRetries: 0 });
  const ask = (apiKey: string, model = 'mini', extra: Record<string, string> = {}) =>
    client(apiKey).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 }, { headers: extra }).withResponse();

  before(async () => {
    upstream = await startFixtureServer();
    upstream.respond({ status: 200, headers: { 'content-type': 'application/json' }, body: fixture('chat-cached-usage.json') });
    const input: ConfigInput = {
      tenancy: { requireKeys: true },
      backends: [{ name: 'openai', model: 'gpt-4o-mini', vendor: 'openai', replicas: [{ id: 'o0', url: `${upstream.url}/v1` }], price: PRICE }],
      models: [{ name: 'mini', backends: ['openai'] }, { name: 'other', backends: ['openai'] }],
    };
    const config = validateConfig(input);
    tenancy = await Tenancy.open({ sqlitePath: dbPath, adminToken: ADMIN, ledger: { flushIntervalMs: 10 } });
    const hooks = tenancyHooks({ tenancy, config, logger: createLogger('silent'), replicaInFlight: (id) => gw.gateway.fleet.get(id)?.inFlight ?? 0 });
    gw = await startTestGateway(input, hooks);
    mountAdmin(gw.gateway, tenancy);
  });
  after(async () => {
    await gw.close();
    await tenancy.close();
    await upstream.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('no key: 401 missing_api_key; a wrong key: 401 invalid_api_key', async () => {
    const noKey = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"mini","messages":[]}' });
    assert.equal(noKey.status, 401);
    assert.equal(((await noKey.json()) as { error: { code: string } }).error.code, 'missing_api_key');
    await assert.rejects(ask('sy-aaaaaaaaaaaa-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), (e: unknown) => e instanceof OpenAI.AuthenticationError && e.code === 'invalid_api_key');
  });

  test('requests per minute: rate-limit headers on every answer, a 429 the SDK understands', async () => {
    const { key } = await createKey(tenancy.keys, { tenant: 'acme', limits: { rpm: 2, tpm: 100_000 } });
    const first = await ask(key);
    assert.equal(first.response.headers.get('x-ratelimit-limit-requests'), '2');
    assert.equal(first.response.headers.get('x-ratelimit-remaining-requests'), '1');
    assert.equal(first.response.headers.get('x-ratelimit-limit-tokens'), '100000');
    assert.match(first.response.headers.get('x-ratelimit-reset-requests') ?? '', /^\d+s$|^1m0s$/);
    await ask(key);
    await assert.rejects(ask(key), (e: unknown) => {
      assert.ok(e instanceof OpenAI.RateLimitError);
      assert.equal(e.code, 'rate_limit_exceeded');
      assert.equal(e.headers?.get('x-ratelimit-remaining-requests'), '0');
      assert.ok(Number(e.headers?.get('retry-after')) >= 1);
      return true;
    });
  });

  test('a stream carries the rate-limit headers and is billed from its final usage chunk', async () => {
    const { key, record } = await createKey(tenancy.keys, { tenant: 'stream', limits: { rpm: 5, tpm: 50_000 } });
    upstream.respond({ status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: sseChunks(fixture('chat-stream.chunks.txt')) });
    try {
      const { data: stream, response } = await client(key).chat.completions.create({ model: 'mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100, stream: true }).withResponse();
      assert.equal(response.headers.get('x-ratelimit-remaining-requests'), '4');
      assert.ok(Number(response.headers.get('x-ratelimit-remaining-tokens')) < 50_000);
      for await (const _ of stream) void _;
    } finally {
      upstream.respond({ status: 200, headers: { 'content-type': 'application/json' }, body: fixture('chat-cached-usage.json') });
    }
    await waitForRecords(gw.records, gw.records.length);
    for (let i = 0; i < 50; i++) {
      await tenancy.ledger.flush();
      const rows = await tenancy.db.all('SELECT input_tokens, cached_input_tokens, output_tokens, cost_usd FROM usage_records WHERE key_id = ?', [record.id]);
      if (rows.length === 1) {
        assert.deepEqual([rows[0]?.['input_tokens'], rows[0]?.['cached_input_tokens'], rows[0]?.['output_tokens']], [1412, 1280, 4]);
        assert.ok(Math.abs(Number(rows[0]?.['cost_usd']) - (132 * 0.15 + 1280 * 0.075 + 4 * 0.6) / 1e6) < 1e-15);
        return;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.fail('no ledger row for the stream');
  });

  test('model allow-list: 403 model_not_allowed', async () => {
    const { key } = await createKey(tenancy.keys, { tenant: 'acme', allowedModels: ['mini'] });
    await ask(key);
    await assert.rejects(ask(key, 'other'), (e: unknown) => e instanceof OpenAI.PermissionDeniedError && e.code === 'model_not_allowed');
  });

  test('budget: reserved at admission, settled at the real (cached-aware) cost, then refused', async () => {
    // Each call reserves (prompt estimate × $0.15 + 100 × $0.60)/1M ≈ $0.00006, and settles at the real
    // $0.0001989 (the recorded upstream reports 2306 prompt tokens for our short prompt). Admission needs
    // spent + reserved + estimate ≤ $0.0005: calls 1–3 fit (0, 0.0002, 0.0004 spent), call 3 overshoots by
    // its misestimate (the documented bound), and from then on spent ≥ budget refuses everything.
    const { key, record } = await createKey(tenancy.keys, { tenant: 'budget', limits: { budgetUsd: 0.0005, budgetPeriod: 'day' } });
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      try {
        await ask(key);
        outcomes.push('ok');
      } catch (e) {
        assert.ok(e instanceof OpenAI.RateLimitError, String(e));
        outcomes.push(String(e.code));
      }
    }
    assert.deepEqual(outcomes, ['ok', 'ok', 'ok', 'budget_exceeded', 'budget_exceeded']);
    await tenancy.ledger.flush();
    const report = await queryUsage(tenancy.db, { keyId: record.id, by: 'status' });
    assert.deepEqual(report.groups.map((g) => [g.group, g.requests]), [['200', 3], ['429', 2]]);
    assert.ok(Math.abs((report.totals.costUsd ?? 0) - 3 * 0.0001989) < 1e-12, `cost ${report.totals.costUsd}`);
  });

  test('tenant budget (admin API): shared by the tenant\'s keys, reported with its spend, lifted at once', async () => {
    const admin = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
      const response = await fetch(`${gw.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      assert.ok(response.status < 300, `${method} ${path}: ${response.status}`);
      return (await response.json()) as Record<string, unknown>;
    };
    // The same arithmetic as the key budget above, but the $0.0005 belongs to the tenant: two keys without
    // limits of their own, taking turns, get three answers between them.
    const tenant = await admin('POST', '/admin/tenants', { name: 'team', budget_usd: 0.0005, budget_period: 'day' });
    assert.equal(tenant['budget_usd'], 0.0005);
    const keys = [(await admin('POST', '/admin/keys', { tenant: 'team' }))['key'] as string, (await admin('POST', '/admin/keys', { tenant: 'team' }))['key'] as string];
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      try {
        await ask(keys[i % 2] as string);
        outcomes.push('ok');
      } catch (e) {
        assert.ok(e instanceof OpenAI.RateLimitError, String(e));
        assert.match(e.message, /tenant "team"/);
        outcomes.push(String(e.code));
      }
    }
    assert.deepEqual(outcomes, ['ok', 'ok', 'ok', 'budget_exceeded', 'budget_exceeded']);
    await tenancy.ledger.flush();
    const view = await admin('GET', '/admin/tenants/team');
    assert.equal(view['keys'], 2);
    const budget = view['budget'] as { spent_usd: number; remaining_usd: number };
    assert.ok(Math.abs(budget.spent_usd - 3 * 0.0001989) < 1e-12, `spent ${budget.spent_usd}`);
    assert.equal(budget.remaining_usd, 0);
    const lifted = await admin('PATCH', '/admin/tenants/team', { budget_usd: null });
    assert.equal(lifted['budget_usd'], null);
    await ask(keys[0] as string);
  });

  test('ledger row per request: tenant, key, pool, replica, cached tokens, cost, tags', async () => {
    const { key, record } = await createKey(tenancy.keys, { tenant: 'ledger' });
    await ask(key, 'mini', { 'x-switchyard-tags': 'team=search,env=prod' });
    await waitForRecords(gw.records, 1);
    await tenancy.ledger.flush();
    const rows = await tenancy.db.all('SELECT * FROM usage_records WHERE key_id = ?', [record.id]);
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    assert.equal(row['tenant'], 'ledger');
    assert.equal(row['pool'], 'openai');
    assert.equal(row['replica'], 'o0');
    assert.equal(row['public_model'], 'mini');
    assert.equal(row['input_tokens'], 2306);
    assert.equal(row['cached_input_tokens'], 2048);
    assert.equal(row['cache_write_tokens'], null);
    assert.equal(row['output_tokens'], 11);
    assert.ok(Math.abs(Number(row['cost_usd']) - (258 * 0.15 + 2048 * 0.075 + 11 * 0.6) / 1e6) < 1e-15);
    assert.deepEqual(JSON.parse(String(row['tags'])), { team: 'search', env: 'prod' });
    const byTag = await queryUsage(tenancy.db, { tenant: 'ledger', by: 'tag:team' });
    assert.deepEqual(byTag.groups.map((g) => g.group), ['search']);
  });

  test('admin API over HTTP: create a key, use it, revoke it: refused at once', async () => {
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${gw.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    assert.equal((await fetch(`${gw.url}/admin/keys`)).status, 403);
    const created = (await (await admin('POST', '/admin/keys', { tenant: 'via-admin', rpm: 100 })).json()) as { key: string; id: string };
    await ask(created.key);
    const revoked = await admin('DELETE', `/admin/keys/${created.id}`);
    assert.equal(revoked.status, 200);
    await assert.rejects(ask(created.key), (e: unknown) => e instanceof OpenAI.AuthenticationError && /revoked/.test(e.message));
    await tenancy.ledger.flush();
    const usage = (await (await admin('GET', '/admin/usage?tenant=via-admin&by=model')).json()) as { groups: Array<{ group: string; requests: number }> };
    // The gateway records requests from `validate` on; one refused at authentication has no row.
    assert.deepEqual(usage.groups.map((g) => [g.group, g.requests]), [['mini', 1]]);
  });
});

describe('the Anthropic SDK through tenancy to an Anthropic upstream: keys, 429s and cache-aware bills', () => {
  const FIXTURES = new URL('../../src/providers/anthropic/__fixtures__/', import.meta.url);
  // Claude Sonnet 4.5 list prices (https://docs.anthropic.com/en/docs/about-claude/pricing), $/1M tokens.
  const SONNET = { inputPerMTok: 3, cachedInputPerMTok: 0.3, cacheWritePerMTok: 3.75, outputPerMTok: 15 };
  let upstream: FixtureServer;
  let gw: TestGateway;
  let tenancy: Tenancy;
  const dir = mkdtempSync(join(tmpdir(), 'sy-e2e-anthropic-'));

  before(async () => {
    upstream = await startFixtureServer();
    const input: ConfigInput = {
      tenancy: { requireKeys: true },
      backends: [{ name: 'anthropic', provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', apiKey: 'sk-ant-upstream', replicas: [upstream.url], price: SONNET }],
      models: [{ name: 'claude', backends: ['anthropic'] }],
    };
    const config = validateConfig(input);
    tenancy = await Tenancy.open({ sqlitePath: join(dir, 'a.db'), ledger: { flushIntervalMs: 10 } });
    gw = await startTestGateway(input, tenancyHooks({ tenancy, config, logger: createLogger('silent') }));
  });
  after(async () => {
    await gw.close();
    await tenancy.close();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function row(keyId: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 100; i++) {
      await tenancy.ledger.flush();
      const rows = await tenancy.db.all('SELECT * FROM usage_records WHERE key_id = ? ORDER BY started_at DESC', [keyId]);
      if (rows[0] !== undefined) return rows[0];
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no ledger row');
  }

  test('x-api-key authenticates; cache reads and writes billed at their own prices', async () => {
    const { key, record } = await createKey(tenancy.keys, { tenant: 'claude-code', limits: { rpm: 10 } });
    upstream.respond({ status: 200, headers: { 'content-type': 'application/json' }, body: readFileSync(new URL('cache-usage.json', FIXTURES), 'utf8') });
    const client = new Anthropic({ apiKey: key, baseURL: gw.url, maxRetries: 0 });
    const { response } = await client.messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'again' }] }).withResponse();
    assert.equal(response.headers.get('x-ratelimit-remaining-requests'), '9');
    const r = await row(record.id);
    assert.deepEqual([r['input_tokens'], r['cached_input_tokens'], r['cache_write_tokens'], r['output_tokens']], [13000, 10752, 2230, 24]);
    const expected = (18 * 3 + 10752 * 0.3 + 2230 * 3.75 + 24 * 15) / 1e6;
    assert.ok(Math.abs(Number(r['cost_usd']) - expected) < 1e-12, `${r['cost_usd']} vs ${expected}`);
  });

  test('streaming with a cached prompt: billed at the cache-read price (LiteLLM #11789 billed it ~7× too high)', async () => {
    const { key, record } = await createKey(tenancy.keys, { tenant: 'claude-code' });
    const chunks = sseChunks(readFileSync(new URL('cache-usage.chunks.txt', FIXTURES), 'utf8'));
    upstream.respond({ status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' }, chunks });
    const client = new Anthropic({ apiKey: key, baseURL: gw.url, maxRetries: 0 });
    await client.messages.stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'again' }] }).finalMessage();
    const r = await row(record.id);
    assert.deepEqual([r['input_tokens'], r['cached_input_tokens'], r['output_tokens']], [12991, 12982, 6]);
    const expected = (9 * 3 + 12982 * 0.3 + 6 * 15) / 1e6;
    assert.ok(Math.abs(Number(r['cost_usd']) - expected) < 1e-12);
    const naive = (12991 * 3 + 6 * 15) / 1e6;
    assert.ok(naive / expected > 9, 'the cache-read discount is where the money is');
  });

  test('count_tokens is free and does not use up the key\'s requests per minute', async () => {
    const { key } = await createKey(tenancy.keys, { tenant: 'claude-code', limits: { rpm: 1 } });
    upstream.respond({ status: 200, headers: { 'content-type': 'application/json' }, body: readFileSync(new URL('count-tokens.json', FIXTURES), 'utf8') });
    const client = new Anthropic({ apiKey: key, baseURL: gw.url, maxRetries: 0 });
    for (let i = 0; i < 3; i++) await client.messages.countTokens({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] });
    upstream.respond({ status: 200, headers: { 'content-type': 'application/json' }, body: readFileSync(new URL('cache-usage.json', FIXTURES), 'utf8') });
    const { response } = await client.messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    assert.equal(response.headers.get('x-ratelimit-remaining-requests'), '0');
  });

  test('a 429 in Anthropic\'s envelope, with the rate-limit headers', async () => {
    const { key } = await createKey(tenancy.keys, { tenant: 'claude-code', limits: { rpm: 1 } });
    upstream.respond({ status: 200, headers: { 'content-type': 'application/json' }, body: readFileSync(new URL('cache-usage.json', FIXTURES), 'utf8') });
    const client = new Anthropic({ apiKey: key, baseURL: gw.url, maxRetries: 0 });
    await client.messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    await assert.rejects(client.messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => {
      assert.ok(e instanceof Anthropic.RateLimitError, String(e));
      assert.equal((e.error as { error?: { type?: string } }).error?.type, 'rate_limit_error');
      assert.equal(e.headers?.get('x-ratelimit-remaining-requests'), '0');
      return true;
    });
    await assert.rejects(
      new Anthropic({ apiKey: 'not-a-key', baseURL: gw.url, maxRetries: 0 }).messages.create({ model: 'claude', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] }),
      (e: unknown) => e instanceof Anthropic.AuthenticationError,
    );
  });
});

describe('requireKeys: auto — open until the first key, locked from then on', () => {
  let upstream: FixtureServer;
  let gw: TestGateway;
  let tenancy: Tenancy;
  const dir = mkdtempSync(join(tmpdir(), 'sy-e2e-auto-'));
  const ask = (headers: Record<string, string> = {}) =>
    fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model: 'mini', messages: [{ role: 'user', content: 'hi' }] }) });

  before(async () => {
    upstream = await startFixtureServer();
    upstream.respond({ status: 200, headers: { 'content-type': 'application/json' }, body: fixture('chat-cached-usage.json') });
    const input: ConfigInput = {
      backends: [{ name: 'openai', model: 'gpt-4o-mini', replicas: [`${upstream.url}/v1`], price: PRICE }],
      models: [{ name: 'mini', backends: ['openai'] }],
    };
    const config = validateConfig(input);
    assert.equal(config.tenancy.requireKeys, 'auto', 'the default');
    tenancy = await Tenancy.open({ sqlitePath: join(dir, 'auto.db'), adminToken: ADMIN });
    gw = await startTestGateway(input, tenancyHooks({ tenancy, config, logger: createLogger('silent') }));
    mountAdmin(gw.gateway, tenancy);
  });
  after(async () => {
    await gw.close();
    await tenancy.close();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a fresh install serves keyless requests; the first key (admin API) locks it at once', async () => {
    const open = await ask();
    assert.equal(open.status, 200);
    await open.arrayBuffer();
    const created = await fetch(`${gw.url}/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ tenant: 'first' }) });
    const { key } = (await created.json()) as { key: string };
    const locked = await ask();
    assert.equal(locked.status, 401);
    assert.equal(((await locked.json()) as { error: { code: string } }).error.code, 'missing_api_key');
    const withKey = await ask({ authorization: `Bearer ${key}` });
    assert.equal(withKey.status, 200);
    await withKey.arrayBuffer();
  });
});
