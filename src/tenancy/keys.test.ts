import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../errors/index.js';
import { openTestDb, POSTGRES_URL, skipUnless, type TestDb } from '../ledger/db/testing.js';
import { Authenticator, presentedKey } from './authenticator.js';
import { hashSecret, parseKey } from './key-format.js';
import { SqlKeyStore } from './key-store.js';
import { checkModelAllowed, createKey, publicView } from './keys.js';

const tmp = mkdtempSync(join(tmpdir(), 'sy-keys-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function rejectsWith(promise: Promise<unknown>, code: string, check?: (e: GatewayError) => void): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(GatewayError.isInstance(e), `expected a GatewayError, got ${String(e)}`);
    assert.equal(e.code, code);
    check?.(e);
    return true;
  });
}

// Checked once, up front: a check racing with busy tests could time out and skip wrongly.
const pgSkip = await skipUnless(POSTGRES_URL, 'PostgreSQL');

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`key lifecycle on ${dialect}`, () => {
    const skip = dialect === 'postgres' ? pgSkip : false;
    let t: TestDb;
    before(async () => {
      if (!skip) t = await openTestDb(dialect, tmp);
    });
    after(async () => {
      if (!skip) await t.dispose();
    });

    test('create, authenticate, list, revoke', { skip }, async () => {
      const store = new SqlKeyStore(t.db);
      const now = Date.UTC(2026, 10, 22, 12);
      const created = await createKey(
        store,
        { tenant: 'acme', name: 'ci', limits: { rpm: 60, tpm: 1000, maxConcurrent: 2, budgetUsd: 12.5, budgetPeriod: 'month' }, allowedModels: ['gpt-4o', 'llama-*'] },
        now,
      );
      assert.match(created.key, /^sy-[a-z2-7]{12}-[A-Za-z0-9_-]{43}$/);
      const parsed = parseKey(created.key);
      assert.ok(parsed);
      // Only the hash is stored.
      const stored = await store.getKey(created.record.id);
      assert.ok(stored);
      assert.equal(stored.secretHash, hashSecret(parsed.secret));
      assert.ok(!JSON.stringify(stored).includes(parsed.secret));
      assert.deepEqual(stored.limits, { rpm: 60, tpm: 1000, maxConcurrent: 2, budgetUsd: 12.5, budgetPeriod: 'month' });
      assert.deepEqual(stored.allowedModels, ['gpt-4o', 'llama-*']);
      assert.equal(stored.tenantName, 'acme');
      assert.equal(stored.createdAt, now);

      const auth = new Authenticator(store, { now: () => now });
      const record = await auth.authenticate(created.key);
      assert.equal(record.id, created.record.id);

      const second = await createKey(store, { tenant: 'acme' }, now + 1);
      await createKey(store, { tenant: 'other' }, now + 2);
      const acme = await store.listKeys({ tenant: 'acme' });
      assert.deepEqual(acme.map((k) => k.id), [created.record.id, second.record.id]);
      assert.equal((await store.listKeys()).length, 3);
      assert.deepEqual((await store.listTenants()).map((x) => x.name), ['acme', 'other']);

      assert.equal(await store.revokeKey(created.record.id, now + 10), true);
      assert.equal(await store.revokeKey(created.record.id, now + 20), true);
      assert.equal((await store.getKey(created.record.id))?.revokedAt, now + 10, 'revoking twice keeps the first time');
      assert.equal(await store.revokeKey('nosuchkeyxxx', now), false);
      auth.invalidate(created.record.id);
      await rejectsWith(auth.authenticate(created.key), 'invalid_api_key', (e) => assert.match(e.message, /revoked/));
      const view = publicView((await store.getKey(created.record.id))!, now);
      assert.equal(view.status, 'revoked');
      assert.equal('secretHash' in view, false);
    });

    test('two concurrent creations for a new tenant share one tenant row', { skip }, async () => {
      const store = new SqlKeyStore(t.db);
      const [a, b] = await Promise.all([createKey(store, { tenant: 'racy' }), createKey(store, { tenant: 'racy' })]);
      assert.equal(a.record.tenantId, b.record.tenantId);
    });

    test('a tenant budget is stored, read with each of its keys, and removed', { skip }, async () => {
      const store = new SqlKeyStore(t.db);
      const { record } = await createKey(store, { tenant: 'budgeted', limits: { rpm: 5 } });
      assert.equal(record.tenantBudget, undefined);
      assert.equal(await store.setTenantBudget('nobody', { usd: 1, period: 'day' }), undefined);
      const tenant = await store.setTenantBudget('budgeted', { usd: 12.5, period: 'month' });
      assert.deepEqual(tenant?.budget, { usd: 12.5, period: 'month' });
      assert.deepEqual((await store.getKey(record.id))?.tenantBudget, { usd: 12.5, period: 'month' });
      assert.deepEqual((await store.listTenants()).find((x) => x.name === 'budgeted')?.budget, { usd: 12.5, period: 'month' });
      assert.deepEqual((await store.getKey(record.id))?.limits, { rpm: 5 }, "the key's own limits are untouched");
      await store.setTenantBudget('budgeted', undefined);
      assert.equal((await store.getKey(record.id))?.tenantBudget, undefined);
    });
  });
}

describe('authenticate edge cases', () => {
  let t: TestDb;
  before(async () => {
    t = await openTestDb('sqlite', tmp);
  });
  after(() => t.dispose());

  test('missing, malformed, unknown, wrong secret, expired; messages never carry the secret', async () => {
    let now = 1_000_000;
    const store = new SqlKeyStore(t.db);
    const auth = new Authenticator(store, { now: () => now });
    const { key, record } = await createKey(store, { tenant: 'edge', expiresAt: now + 60_000 }, now);
    const secret = parseKey(key)!.secret;
    await rejectsWith(auth.authenticate(undefined), 'missing_api_key');
    await rejectsWith(auth.authenticate('   '), 'missing_api_key');
    await rejectsWith(auth.authenticate('sk-not-ours'), 'invalid_api_key');
    await rejectsWith(auth.authenticate(key + 'x'), 'invalid_api_key');
    await rejectsWith(auth.authenticate(`sy-aaaaaaaaaaaa-${secret}`), 'invalid_api_key', (e) => assert.equal(e.message, 'Invalid API key'));
    const wrong = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    await rejectsWith(auth.authenticate(wrong), 'invalid_api_key', (e) => {
      assert.equal(e.message, 'Invalid API key', 'a wrong secret learns nothing about the key');
    });
    assert.equal((await auth.authenticate(` ${key} `)).id, record.id);
    now += 60_000;
    await rejectsWith(auth.authenticate(key), 'invalid_api_key', (e) => {
      assert.match(e.message, /expired/);
      assert.ok(e.message.includes(record.id));
      assert.ok(!e.message.includes(secret));
    });
  });

  test('cache: another process revoking takes effect after the TTL', async () => {
    let now = 5_000_000;
    const store = new SqlKeyStore(t.db);
    const auth = new Authenticator(store, { cacheTtlMs: 5000, now: () => now });
    const { key, record } = await createKey(store, { tenant: 'cache' }, now);
    await auth.authenticate(key);
    await store.revokeKey(record.id, now); // as if by another process: no invalidate() here
    now += 4999;
    assert.equal((await auth.authenticate(key)).id, record.id, 'still cached within the TTL');
    now += 1;
    await rejectsWith(auth.authenticate(key), 'invalid_api_key');
  });

  test('keysExist (requireKeys: auto): false on a fresh store; a key from elsewhere counts within the TTL', async () => {
    const db = (await openTestDb('sqlite', tmp)).db;
    let now = 0;
    const store = new SqlKeyStore(db);
    const auth = new Authenticator(store, { cacheTtlMs: 5000, now: () => now });
    assert.equal(await auth.keysExist(), false);
    await createKey(store, { tenant: 'first' }); // as if by the CLI: this process is not told
    now += 4999;
    assert.equal(await auth.keysExist(), false, 'the negative answer is cached for the TTL');
    now += 1;
    assert.equal(await auth.keysExist(), true);
    const other = new Authenticator(new SqlKeyStore(db), { now: () => 0 });
    other.noteKeyCreated();
    assert.equal(await other.keysExist(), true, 'a key made through this process counts at once');
    await db.close();
  });

  test('a burst of requests with one uncached key asks the store once', async () => {
    const store = new SqlKeyStore(t.db);
    const { key } = await createKey(store, { tenant: 'burst' });
    let lookups = 0;
    const counting = new Proxy(store, {
      get: (target, prop, receiver) => (prop === 'getKey' ? (id: string) => (lookups++, target.getKey(id)) : Reflect.get(target, prop, receiver)),
    });
    const auth = new Authenticator(counting);
    await Promise.all(Array.from({ length: 20 }, () => auth.authenticate(key)));
    assert.equal(lookups, 1);
  });

  test('bad options are refused with the field named', async () => {
    const store = new SqlKeyStore(t.db);
    await rejectsWith(createKey(store, { tenant: 'bad name!' }), 'invalid_request');
    await rejectsWith(createKey(store, { tenant: 'x', limits: { rpm: 0 } }), 'invalid_request', (e) => assert.equal(e.param, 'rpm'));
    await rejectsWith(createKey(store, { tenant: 'x', limits: { budgetUsd: 5 } }), 'invalid_request', (e) => assert.equal(e.param, 'budgetPeriod'));
    await rejectsWith(createKey(store, { tenant: 'x', expiresAt: 1 }), 'invalid_request', (e) => assert.equal(e.param, 'expiresAt'));
    await rejectsWith(createKey(store, { tenant: 'x', allowedModels: [] }), 'invalid_request', (e) => assert.equal(e.param, 'models'));
  });
});

test('model allow-list: exact and prefix entries', () => {
  const key = { id: 'abcdefghijkl', tenantId: 't', tenantName: 't', secretHash: '', createdAt: 0, limits: {}, allowedModels: ['gpt-4o', 'llama-*'] };
  checkModelAllowed(key, 'gpt-4o');
  checkModelAllowed(key, 'llama-3.1-8b');
  assert.throws(() => checkModelAllowed(key, 'gpt-4o-mini'), (e: unknown) => GatewayError.isInstance(e) && e.code === 'model_not_allowed');
  checkModelAllowed({ ...key, allowedModels: undefined } as never, 'anything');
});

test('presentedKey reads Bearer and x-api-key', () => {
  assert.equal(presentedKey({ authorization: 'Bearer sy-abc' }), 'sy-abc');
  assert.equal(presentedKey({ authorization: 'bearer   sy-abc ' }), 'sy-abc');
  assert.equal(presentedKey({ 'x-api-key': 'sy-xyz' }), 'sy-xyz');
  assert.equal(presentedKey({}), undefined);
  assert.equal(presentedKey({ authorization: 'Basic Zm9v' }), undefined);
});
