import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../errors/index.js';
import { formatReset } from './headers.js';
import { Limiter } from './limiter.js';
import { limiterSuite } from './limiter-suite.js';
import { MemoryLimitBackend } from './memory-backend.js';
import { periodOf } from './period.js';

describe('memory backend', () => limiterSuite(() => new MemoryLimitBackend()));

describe('memory backend with a moving clock', () => {
  const key = (limits: object) => ({ id: 'clockkey00001', tenantId: 't', tenantName: 't', secretHash: '', createdAt: 0, limits });

  test('the window slides: usage leaves 60 s after the second it was admitted in', async () => {
    let now = 1_700_000_000_500;
    const l = new Limiter(new MemoryLimitBackend(() => now), { now: () => now });
    const k = key({ rpm: 2 });
    const first = await l.admit(k, { promptTokens: 1, maxOutputTokens: 1 });
    assert.equal(first.headers['x-ratelimit-reset-requests'], '1m0s');
    now += 30_000;
    const second = await l.admit(k, { promptTokens: 1, maxOutputTokens: 1 });
    assert.equal(second.headers['x-ratelimit-reset-requests'], '1m0s');
    await assert.rejects(l.admit(k, { promptTokens: 1, maxOutputTokens: 1 }), (e: unknown) => {
      assert.ok(GatewayError.isInstance(e));
      assert.equal(e.retryAfterMs, 29_500, 'the first request leaves the window at the end of its second + 60 s');
      return true;
    });
    now += 29_500;
    const third = await l.admit(k, { promptTokens: 1, maxOutputTokens: 1 });
    assert.equal(third.headers['x-ratelimit-remaining-requests'], '0');
    await l.close();
  });

  test('a dead holder\'s concurrency slot lapses after the lease', async () => {
    let now = 1_000_000;
    const backend = new MemoryLimitBackend(() => now);
    const k = key({ maxConcurrent: 1 });
    // A holder that never settles: admit through the backend directly, as a crashed process would leave it.
    const input = { keyId: k.id, admissionId: 'dead', rpm: undefined, tpm: undefined, maxConcurrent: 1, budgetNano: undefined, periodId: '', periodEndMs: 0, tokens: 0, costNano: 0, leaseMs: 30_000 };
    assert.equal((await backend.admit(input, false)).kind, 'admitted');
    assert.equal((await backend.admit({ ...input, admissionId: 'live' }, false)).kind, 'denied');
    now += 30_000;
    assert.equal((await backend.admit({ ...input, admissionId: 'live' }, false)).kind, 'admitted');
  });

  test('budget periods are UTC days and months', () => {
    const t = Date.UTC(2026, 10, 22, 23, 59, 59);
    assert.deepEqual(periodOf(t, 'day'), { id: '2026-11-22', startMs: Date.UTC(2026, 10, 22), endMs: Date.UTC(2026, 10, 23) });
    assert.deepEqual(periodOf(Date.UTC(2026, 11, 31, 12), 'month'), { id: '2026-12', startMs: Date.UTC(2026, 11, 1), endMs: Date.UTC(2027, 0, 1) });
  });
});

test('reset durations are written the way OpenAI writes them', () => {
  assert.equal(formatReset(0), '0s');
  assert.equal(formatReset(12), '12ms');
  assert.equal(formatReset(999.2), '1000ms');
  assert.equal(formatReset(1000), '1s');
  assert.equal(formatReset(1001), '2s');
  assert.equal(formatReset(59_000), '59s');
  assert.equal(formatReset(60_000), '1m0s');
  assert.equal(formatReset(360_000), '6m0s');
  assert.equal(formatReset(3_600_000), '1h0m0s');
  assert.equal(formatReset(3_725_000), '1h2m5s');
});

test('a key limited only by requests per minute settles without a backend call', async () => {
  const backend = new MemoryLimitBackend();
  let settles = 0;
  const counting = Object.assign(Object.create(backend) as MemoryLimitBackend, { settle: async () => void settles++ });
  const l = new Limiter(counting);
  const k = { id: 'rpmonlykey01', tenantId: 't', tenantName: 't', secretHash: '', createdAt: 0, limits: { rpm: 5 } };
  await (await l.admit(k, { promptTokens: 1, maxOutputTokens: 1 })).settle({ inputTokens: 1, outputTokens: 1 });
  assert.equal(settles, 0);
  await (await l.admit({ ...k, id: 'tpmkey000001', limits: { tpm: 100 } }, { promptTokens: 1, maxOutputTokens: 1 })).release();
  assert.equal(settles, 1);
});
