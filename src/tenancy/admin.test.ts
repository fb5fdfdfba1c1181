import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb, type TestDb } from '../ledger/db/testing.js';
import { insertUsage } from '../ledger/usage-store.js';
import { createAdminHandler, type AdminRequest } from './admin.js';
import { Authenticator } from './authenticator.js';
import { SqlKeyStore } from './key-store.js';

const tmp = mkdtempSync(join(tmpdir(), 'sy-admin-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('admin API handler', () => {
  let t: TestDb;
  let handle: ReturnType<typeof createAdminHandler>;
  let auth: Authenticator;
  const TOKEN = 'admin-secret-token-for-tests';
  const req = (method: string, path: string, extra: Partial<AdminRequest> = {}): AdminRequest => ({
    method,
    path,
    query: {},
    body: undefined,
    headers: { authorization: `Bearer ${TOKEN}` },
    ...extra,
  });
  const body = (r: { body: unknown }) => r.body as Record<string, unknown> & { error?: { code: string; param: string | null; message: string } };

  before(async () => {
    t = await openTestDb('sqlite', tmp);
    const keys = new SqlKeyStore(t.db);
    auth = new Authenticator(keys);
    handle = createAdminHandler({ db: t.db, keys, authenticator: auth, adminToken: TOKEN });
  });
  after(() => t.dispose());

  test('no token, a wrong token, or no configured token: admin_forbidden', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { 'x-admin-token': TOKEN.slice(0, -1) }]) {
      const r = await handle(req('GET', '/admin/keys', { headers }));
      assert.equal(r.status, 403);
      assert.equal(body(r).error?.code, 'admin_forbidden');
    }
    assert.equal((await handle(req('GET', '/admin/keys', { headers: { 'x-admin-token': TOKEN } }))).status, 200);
    const disabled = createAdminHandler({ db: t.db, keys: new SqlKeyStore(t.db), adminToken: undefined });
    assert.equal((await disabled(req('GET', '/admin/keys'))).status, 403);
    assert.throws(() => createAdminHandler({ db: t.db, keys: new SqlKeyStore(t.db), adminToken: 'short' }), RangeError);
  });

  test('create (key shown once), list, get, revoke; the revocation is immediate in this process', async () => {
    const created = await handle(req('POST', '/admin/keys', { body: JSON.stringify({ tenant: 'acme', rpm: 10, budget_usd: 5, budget_period: 'month', models: ['gpt-4o'], expires: '30d' }) }));
    assert.equal(created.status, 201);
    const c = body(created);
    assert.match(String(c['key']), /^sy-/);
    assert.equal(c['tenant'], 'acme');
    assert.deepEqual(c['limits'], { rpm: 10, tpm: null, max_concurrent: null, budget_usd: 5, budget_period: 'month' });
    assert.equal(c['status'], 'active');
    const id = String(c['id']);
    assert.equal((await auth.authenticate(String(c['key']))).id, id);

    await insertUsage(t.db, [
      { id: 'spend1', startedAt: Date.now(), endedAt: Date.now(), tenant: 'acme', keyId: id, usage: { inputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: undefined, outputTokens: 1, reasoningTokens: undefined }, costUsd: 1.25, status: 200 },
    ]);
    const one = body(await handle(req('GET', `/admin/keys/${id}`)));
    const budget = one['budget'] as { spent_usd: number; remaining_usd: number; period: string };
    assert.equal(budget.spent_usd, 1.25);
    assert.equal(budget.remaining_usd, 3.75);
    assert.match(budget.period, /^\d{4}-\d{2}$/);
    await t.db.run(`DELETE FROM usage_records WHERE id = 'spend1'`);

    const list = body(await handle(req('GET', '/admin/keys', { query: new URLSearchParams('tenant=acme') })));
    const data = list['data'] as Array<Record<string, unknown>>;
    assert.equal(data.length, 1);
    assert.equal(data[0]?.['key'], undefined, 'a listing never shows the key');
    assert.ok(!JSON.stringify(list).includes(String(c['key']).slice(16)), 'nor any part of the secret');
    assert.ok(!JSON.stringify(list).includes('secret'));

    const revoked = await handle(req('DELETE', `/admin/keys/${id}`));
    assert.equal(revoked.status, 200);
    assert.equal(body(revoked)['status'], 'revoked');
    await assert.rejects(auth.authenticate(String(c['key'])), /revoked/);
    assert.equal((await handle(req('DELETE', '/admin/keys/nosuchkey'))).status, 404);

    const tenants = body(await handle(req('GET', '/admin/tenants')));
    assert.deepEqual((tenants['data'] as Array<Record<string, unknown>>).map((x) => [x['name'], x['keys']]), [['acme', 1]]);
    assert.equal((await handle(req('POST', '/admin/tenants', { body: { name: 'beta' } }))).status, 201);
  });

  test('bad input: 400 naming the field; bad JSON; unknown routes and methods', async () => {
    const noTenant = await handle(req('POST', '/admin/keys', { body: { rpm: 5 } }));
    assert.equal(noTenant.status, 400);
    assert.equal(body(noTenant).error?.param, 'tenant');
    const typo = await handle(req('POST', '/admin/keys', { body: { tenant: 'a', rpn: 5 } }));
    assert.equal(body(typo).error?.param, 'rpn');
    const badPeriod = await handle(req('POST', '/admin/keys', { body: { tenant: 'a', budget_usd: 1, budget_period: 'year' } }));
    assert.equal(body(badPeriod).error?.param, 'budget_period');
    assert.equal(body(await handle(req('POST', '/admin/keys', { body: '{nope' }))).error?.code, 'invalid_json');
    assert.equal((await handle(req('GET', '/admin/nothing'))).status, 404);
    assert.equal((await handle(req('PUT', '/admin/keys'))).status, 405);
    const badSince = await handle(req('GET', '/admin/usage', { query: { since: 'yesterday' } }));
    assert.equal(body(badSince).error?.param, 'since');
    const badBy = await handle(req('GET', '/admin/usage', { query: { by: 'colour' } }));
    assert.equal(body(badBy).error?.param, 'by');
  });

  test('tenant budgets: set on creation or with PATCH, cleared with null; bad budgets named; unknown tenant 404', async () => {
    const created = await handle(req('POST', '/admin/tenants', { body: { name: 'initech', budget_usd: 25, budget_period: 'month' } }));
    assert.equal(created.status, 201);
    assert.equal(body(created)['budget_usd'], 25);
    assert.equal(body(created)['budget_period'], 'month');
    const patched = await handle(req('PATCH', '/admin/tenants/initech', { body: { budget_usd: 3, budget_period: 'day' } }));
    assert.equal(patched.status, 200);
    const view = body(patched) as { budget_usd: number; budget: { period: string; spent_usd: number; remaining_usd: number } };
    assert.equal(view.budget_usd, 3);
    assert.match(view.budget.period, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(view.budget.spent_usd, 0);
    assert.equal(view.budget.remaining_usd, 3);
    const cleared = await handle(req('PATCH', '/admin/tenants/initech', { body: { budget_usd: null } }));
    assert.equal(body(cleared)['budget_usd'], null);
    assert.equal((body(cleared) as { budget?: unknown }).budget, undefined);
    for (const [bad, param] of [[{ budget_usd: 5 }, 'budget_period'], [{ budget_usd: -1, budget_period: 'day' }, 'budget_usd'], [{ budget_usd: 5, budget_period: 'year' }, 'budget_period'], [{ budget: 5 }, 'budget']] as const) {
      const refused = await handle(req('PATCH', '/admin/tenants/initech', { body: bad }));
      assert.equal(refused.status, 400, JSON.stringify(bad));
      assert.equal(body(refused).error?.param, param);
    }
    assert.equal((await handle(req('PATCH', '/admin/tenants/nobody', { body: { budget_usd: 1, budget_period: 'day' } }))).status, 404);
    assert.equal((await handle(req('DELETE', '/admin/tenants/initech'))).status, 405);
  });

  test('usage report through the admin API', async () => {
    const now = Date.now();
    await insertUsage(t.db, [
      { id: 'a1', startedAt: now - 1000, endedAt: now, tenant: 'acme', publicModel: 'gpt-4o', usage: { inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: undefined, outputTokens: 5, reasoningTokens: undefined }, costUsd: 0.5, status: 200 },
      { id: 'a2', startedAt: now - 1000, endedAt: now, tenant: 'beta', publicModel: 'gpt-4o', usage: { inputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: undefined, outputTokens: 1, reasoningTokens: undefined }, costUsd: 0.25, status: 200 },
    ]);
    await insertUsage(t.db, [
      { id: 'old', startedAt: now - 30 * 86_400_000, endedAt: now - 30 * 86_400_000, tenant: 'acme', usage: { inputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: undefined, outputTokens: 1, reasoningTokens: undefined }, costUsd: 9, status: 200 },
    ]);
    const week = body(await handle(req('GET', '/admin/usage')));
    assert.equal((week['totals'] as { requests: number }).requests, 2, 'the last 7 days by default');
    const all = body(await handle(req('GET', '/admin/usage', { query: { since: 'all' } })));
    assert.equal((all['totals'] as { requests: number }).requests, 3);
    const r = body(await handle(req('GET', '/admin/usage', { query: { since: '1h', by: 'tenant' } })));
    const groups = r['groups'] as Array<{ group: string; costUsd: number }>;
    assert.deepEqual(groups.map((g) => [g.group, g.costUsd]), [['acme', 0.5], ['beta', 0.25]]);
    assert.equal((r['totals'] as { requests: number }).requests, 2);
  });
});
