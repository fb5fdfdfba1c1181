import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../errors/index.js';
import type { ApiKeyRecord, KeyLimits } from '../types.js';
import { Limiter, type LimiterOptions } from './limiter.js';
import type { LimitBackend } from './types.js';

/**
 * One behavioural suite for every limit backend: the memory and Redis backends must decide alike.
 * Nothing here moves time, so it runs the same against Redis's own clock.
 */
export function limiterSuite(makeBackend: () => LimitBackend, skip: string | false = false): void {
  let n = 0;
  const key = (limits: KeyLimits): ApiKeyRecord => ({
    id: `suite${process.pid}x${Date.now().toString(36)}x${n++}`,
    tenantId: 't',
    tenantName: 't',
    secretHash: '',
    createdAt: 0,
    limits,
  });
  const withLimiter = (fn: (l: Limiter) => Promise<void>, options: LimiterOptions = {}) => async () => {
    const limiter = new Limiter(makeBackend(), { onError: () => {}, ...options });
    try {
      await fn(limiter);
    } finally {
      await limiter.close();
    }
  };
  const denied = (code: string, check?: (e: GatewayError) => void) => (e: unknown) => {
    assert.ok(GatewayError.isInstance(e), String(e));
    assert.equal(e.code, code);
    check?.(e);
    return true;
  };
  const req = { promptTokens: 10, maxOutputTokens: 10 };

  test('requests per minute: exactly the limit, then 429 with headers and retry-after', { skip }, withLimiter(async (l) => {
    const k = key({ rpm: 5 });
    const admissions = [];
    for (let i = 0; i < 5; i++) admissions.push(await l.admit(k, req));
    assert.equal(admissions[0]?.headers['x-ratelimit-limit-requests'], '5');
    assert.equal(admissions[0]?.headers['x-ratelimit-remaining-requests'], '4');
    assert.equal(admissions[4]?.headers['x-ratelimit-remaining-requests'], '0');
    assert.match(admissions[4]?.headers['x-ratelimit-reset-requests'] ?? '', /^(\d+s|1m0s)$/);
    assert.equal(admissions[0]?.headers['x-ratelimit-limit-tokens'], undefined, 'no token headers without a token limit');
    for (const a of admissions) await a.release();
    await assert.rejects(l.admit(k, req), denied('rate_limit_exceeded', (e) => {
      assert.equal(e.headers?.['x-ratelimit-remaining-requests'], '0');
      assert.ok(e.retryAfterMs !== undefined && e.retryAfterMs > 0 && e.retryAfterMs <= 60_000);
      assert.ok(!e.message.includes('secret'));
    }));
  }));

  test('tokens per minute: prompt + max_tokens reserved, reconciled to real usage', { skip }, withLimiter(async (l) => {
    const k = key({ tpm: 1000 });
    const a = await l.admit(k, { promptTokens: 100, maxOutputTokens: 400 });
    assert.equal(a.headers['x-ratelimit-remaining-tokens'], '500');
    const b = await l.admit(k, { promptTokens: 100, maxOutputTokens: 400 });
    assert.equal(b.headers['x-ratelimit-remaining-tokens'], '0');
    await assert.rejects(l.admit(k, { promptTokens: 1, maxOutputTokens: 0 }), denied('token_limit_exceeded', (e) => {
      assert.equal(e.headers?.['x-ratelimit-remaining-tokens'], '0');
      assert.ok(e.retryAfterMs !== undefined && e.retryAfterMs > 0);
    }));
    await a.settle({ inputTokens: 100, outputTokens: 50 }); // 500 reserved, 150 used: 350 back
    const c = await l.admit(k, { promptTokens: 100, maxOutputTokens: 250 });
    assert.equal(c.headers['x-ratelimit-remaining-tokens'], '0');
    // Cache reads do not count (Bedrock's settlement): 600 input of which 500 cached + 0 output = 100.
    await b.settle({ inputTokens: 600, cachedInputTokens: 500, outputTokens: 0 });
    const d = await l.admit(k, { promptTokens: 200, maxOutputTokens: 200 });
    assert.equal(d.headers['x-ratelimit-remaining-tokens'], '0');
    // Unknown usage keeps the reservation: nothing comes back.
    await c.settle({ inputTokens: undefined, outputTokens: 5 });
    await assert.rejects(l.admit(k, { promptTokens: 1, maxOutputTokens: 0 }), denied('token_limit_exceeded'));
  }));

  test('a request larger than the token limit is refused without retry-after', { skip }, withLimiter(async (l) => {
    await assert.rejects(l.admit(key({ tpm: 100 }), { promptTokens: 50, maxOutputTokens: 51 }), denied('token_limit_exceeded', (e) => {
      assert.equal(e.retryAfterMs, undefined);
      assert.match(e.message, /lower max_tokens/);
    }));
  }));

  test('concurrency: slots are taken and given back once, whatever the caller does', { skip }, withLimiter(async (l) => {
    const k = key({ maxConcurrent: 2 });
    const a = await l.admit(k, req);
    const b = await l.admit(k, req);
    await assert.rejects(l.admit(k, req), denied('concurrency_limit_exceeded', (e) => assert.ok((e.retryAfterMs ?? 0) > 0)));
    await a.settle({ inputTokens: 1, outputTokens: 1 });
    await a.release(); // second call: no-op, must not free b's slot
    await a.release();
    assert.equal(a.done, true);
    const c = await l.admit(k, req);
    await assert.rejects(l.admit(k, req), denied('concurrency_limit_exceeded'));
    await b.release();
    await c.release();
    const d = await l.admit(k, req);
    const e = await l.admit(k, req);
    await d.release();
    await e.release();
  }));

  test('budget: estimated cost reserved at admission, settled to the real cost', { skip }, withLimiter(async (l) => {
    const k = key({ budgetUsd: 1, budgetPeriod: 'day' });
    const a = await l.admit(k, { ...req, estimatedCostUsd: 0.4 });
    const b = await l.admit(k, { ...req, estimatedCostUsd: 0.4 });
    await assert.rejects(l.admit(k, { ...req, estimatedCostUsd: 0.4 }), denied('budget_exceeded', (e) => {
      assert.ok(e.retryAfterMs !== undefined && e.retryAfterMs <= 86_400_000);
    }));
    await a.settle({ inputTokens: 1, outputTokens: 1, costUsd: 0.1 }); // spent 0.1, reserved 0.4
    const c = await l.admit(k, { ...req, estimatedCostUsd: 0.4 }); // 0.9
    await assert.rejects(l.admit(k, { ...req, estimatedCostUsd: 0.2 }), denied('budget_exceeded'));
    await b.release(); // nothing consumed: 0.4 back → spent 0.1, reserved 0.4
    await c.settle({ inputTokens: 1, outputTokens: 1 }); // cost unknown: the estimate (0.4) is kept as spent
    const d = await l.admit(k, { ...req, estimatedCostUsd: 0.5 }); // 0.5 + 0.5 = 1.0: fits exactly
    await assert.rejects(l.admit(k, { ...req, estimatedCostUsd: 0.000001 }), denied('budget_exceeded'));
    await d.settle({ costUsd: 0.5 });
    // Spent equals the budget: even a free request is refused.
    await assert.rejects(l.admit(k, req), denied('budget_exceeded'));
  }));

  test('budget: a new period starts from what the ledger says was spent', { skip }, async () => {
    const asked: string[] = [];
    await withLimiter(async (l) => {
      const k = key({ budgetUsd: 1, budgetPeriod: 'month' });
      await assert.rejects(l.admit(k, { ...req, estimatedCostUsd: 0.1 }), denied('budget_exceeded'));
      await (await l.admit(k, { ...req, estimatedCostUsd: 0.05 })).release();
      assert.equal(asked.length, 1, 'the ledger is read once per period, not per request');
    }, {
      spentSince: async (keyId) => {
        asked.push(keyId);
        return 0.95;
      },
    })();
  });

  test('all or nothing: a request refused for tokens takes no request slot', { skip }, withLimiter(async (l) => {
    const k = key({ rpm: 2, tpm: 100 });
    await (await l.admit(k, { promptTokens: 50, maxOutputTokens: 50 })).release();
    const before = (await l.admit(k, { promptTokens: 0, maxOutputTokens: 0 })).headers['x-ratelimit-remaining-requests'];
    assert.equal(before, '0');
    const k2 = key({ rpm: 2, tpm: 100 });
    const a = await l.admit(k2, { promptTokens: 60, maxOutputTokens: 40 });
    await assert.rejects(l.admit(k2, { promptTokens: 60, maxOutputTokens: 40 }), denied('token_limit_exceeded'));
    await a.settle({ inputTokens: 10, outputTokens: 10 });
    const b = await l.admit(k2, { promptTokens: 10, maxOutputTokens: 10 });
    assert.equal(b.headers['x-ratelimit-remaining-requests'], '0', 'the refused request did not count');
    assert.equal(b.headers['x-ratelimit-remaining-tokens'], '60');
  }));

  test('a key without limits is admitted without touching the backend', { skip }, withLimiter(async (l) => {
    const a = await l.admit(key({}), req);
    assert.deepEqual(a.headers, {});
    await a.release();
  }));

  test('tenant budget: shared by all the tenant\'s keys, apart from each key\'s own limits', { skip }, withLimiter(async (l) => {
    const tenantId = `tenant${process.pid}x${Date.now().toString(36)}x${n++}`;
    const ofTenant = (limits: KeyLimits): ApiKeyRecord => ({ ...key(limits), tenantId, tenantName: 'acme', tenantBudget: { usd: 1, period: 'day' } });
    const alice = ofTenant({});
    const bob = ofTenant({ budgetUsd: 10, budgetPeriod: 'day' });
    const a = await l.admitTenant(alice, { ...req, estimatedCostUsd: 0.6 });
    // Bob's own budget has room; the tenant's does not.
    await assert.rejects(l.admitTenant(bob, { ...req, estimatedCostUsd: 0.6 }), denied('budget_exceeded', (e) => assert.match(e.message, /tenant "acme"/)));
    await a.settle({ costUsd: 0.3 }); // spent 0.3 of the tenant's dollar
    const b = await l.admitTenant(bob, { ...req, estimatedCostUsd: 0.6 }); // 0.9
    await assert.rejects(l.admitTenant(alice, { ...req, estimatedCostUsd: 0.2 }), denied('budget_exceeded'));
    await b.release(); // nothing consumed: back to 0.3
    await (await l.admitTenant(alice, { ...req, estimatedCostUsd: 0.7 })).settle({ costUsd: 0.7 }); // exactly 1.0
    await assert.rejects(l.admitTenant(bob, req), denied('budget_exceeded'));
    // A key whose tenant has no budget is not held by this check at all.
    await (await l.admitTenant(key({}), { ...req, estimatedCostUsd: 5 })).release();
  }));

  test('tenant budget: a new period starts from what the ledger says the tenant spent', { skip }, async () => {
    const asked: string[] = [];
    const tenantId = `tenant${process.pid}x${Date.now().toString(36)}x${n++}`;
    await withLimiter(async (l) => {
      const k: ApiKeyRecord = { ...key({}), tenantId, tenantName: 'globex', tenantBudget: { usd: 2, period: 'month' } };
      await assert.rejects(l.admitTenant(k, { ...req, estimatedCostUsd: 0.5 }), denied('budget_exceeded'));
      await (await l.admitTenant(k, { ...req, estimatedCostUsd: 0.25 })).release();
      assert.deepEqual(asked, ['globex'], 'read once per period, by tenant name');
    }, {
      tenantSpentSince: async (tenant) => {
        asked.push(tenant);
        return 1.75;
      },
    })();
  });
}
