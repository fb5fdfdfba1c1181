import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../errors/index.js';
import { REDIS_URL, skipUnless, uniqueName } from '../../ledger/db/testing.js';
import type { ApiKeyRecord, KeyLimits } from '../types.js';
import { Limiter } from './limiter.js';
import { limiterSuite } from './limiter-suite.js';
import { RedisLimitBackend } from './redis-backend.js';

const skip = await skipUnless(REDIS_URL, 'Redis');
const prefix = uniqueName('sytest');
const CHILD = fileURLToPath(new URL('./admit-child.ts', import.meta.url));

after(async () => {
  if (skip) return;
  const cleaner = new RedisLimitBackend({ url: REDIS_URL, prefix });
  await cleaner.deleteAll();
  await cleaner.close();
});

describe('redis backend', () => limiterSuite(() => new RedisLimitBackend({ url: REDIS_URL, prefix }), skip));

function key(limits: KeyLimits): ApiKeyRecord {
  return { id: uniqueName('xproc'), tenantId: 't', tenantName: 't', secretHash: '', createdAt: 0, limits };
}

interface ChildResult {
  admitted: number;
  denied: Record<string, number>;
}

function startChild(k: ApiKeyRecord, count: number, mode: 'settle' | 'leave' | 'hold', leaseMs = 30_000): { child: ChildProcess; result: Promise<ChildResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, REDIS_URL, prefix, JSON.stringify(k), String(count), mode, String(leaseMs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const result = new Promise<ChildResult>((resolve, reject) => {
    const onLine = (): void => {
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined) resolve(JSON.parse(line) as ChildResult);
    };
    child.stdout?.on('data', onLine);
    child.once('exit', (code) => {
      if (!out.includes('\n')) reject(new Error(`child exited ${code} without a result: ${err}`));
    });
  });
  return { child, result };
}

async function runChildren(k: ApiKeyRecord, perChild: number, mode: 'settle' | 'leave' | 'hold', leaseMs?: number) {
  const children = [0, 1, 2].map(() => startChild(k, perChild, mode, leaseMs));
  const results = await Promise.all(children.map((c) => c.result));
  return { children, admitted: results.reduce((s, r) => s + r.admitted, 0), results };
}

describe('limits hold across processes sharing Redis', () => {
  test('three processes × 100 tries against 100 per minute: exactly 100 admitted', { skip, timeout: 60_000 }, async () => {
    const k = key({ rpm: 100 });
    const { admitted, results } = await runChildren(k, 100, 'settle');
    assert.equal(admitted, 100);
    assert.equal(results.reduce((s, r) => s + (r.denied['rate_limit_exceeded'] ?? 0), 0), 200);
  });

  test('three processes × 100 tries at $0.01 against a $1 budget: exactly 100 admitted', { skip, timeout: 60_000 }, async () => {
    const k = key({ budgetUsd: 1, budgetPeriod: 'day' });
    const { admitted } = await runChildren(k, 100, 'settle');
    assert.equal(admitted, 100);
    // All settled at $0.01 each: the budget is spent to the cent, so one more is refused.
    const l = new Limiter(new RedisLimitBackend({ url: REDIS_URL, prefix }));
    await assert.rejects(l.admit(k, { promptTokens: 1, maxOutputTokens: 1 }), (e: unknown) => GatewayError.isInstance(e) && e.code === 'budget_exceeded');
    await l.close();
  });

  test('three processes × 100 tries against 600 tokens per minute (20 each): exactly 30 admitted', { skip, timeout: 60_000 }, async () => {
    const { admitted } = await runChildren(key({ tpm: 600 }), 100, 'leave');
    assert.equal(admitted, 30);
  });

  test('concurrency slots: 10 across processes; a killed holder frees its slots when its lease lapses', { skip, timeout: 60_000 }, async () => {
    const k = key({ maxConcurrent: 10 });
    const { children, admitted } = await runChildren(k, 20, 'hold', 1500);
    try {
      assert.equal(admitted, 10);
      const l = new Limiter(new RedisLimitBackend({ url: REDIS_URL, prefix }), { leaseMs: 1500 });
      // While the holders live they keep renewing: still full after more than a lease.
      await new Promise((r) => setTimeout(r, 2000));
      await assert.rejects(l.admit(k, { promptTokens: 1, maxOutputTokens: 1 }), (e: unknown) => GatewayError.isInstance(e) && e.code === 'concurrency_limit_exceeded');
      for (const c of children) c.child.kill('SIGKILL');
      // Dead processes never release; their leases lapse within 1.5 s. Poll (bounded) until a slot frees.
      let got = false;
      for (let i = 0; i < 100 && !got; i++) {
        try {
          const a = await l.admit(k, { promptTokens: 1, maxOutputTokens: 1 });
          await a.release();
          got = true;
        } catch (e) {
          if (!(GatewayError.isInstance(e) && e.code === 'concurrency_limit_exceeded')) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      assert.ok(got, 'slots of killed processes must come back after the lease');
      await l.close();
    } finally {
      for (const c of children) c.child.kill('SIGKILL');
    }
  });
});

describe('when Redis is unreachable', () => {
  const k = key({ rpm: 10 });
  test('the request is refused with a 503 (limits never silently stop holding)', async () => {
    const errors: string[] = [];
    const l = new Limiter(new RedisLimitBackend({ url: 'redis://127.0.0.1:1', prefix }), { onError: (m) => errors.push(m) });
    await assert.rejects(l.admit(k, { promptTokens: 1, maxOutputTokens: 1 }), (e: unknown) => GatewayError.isInstance(e) && e.code === 'upstream_unavailable' && e.status === 503);
    assert.equal(errors.length, 1);
    await l.close();
  });
  test('failOpen admits without limits and says so', async () => {
    const errors: string[] = [];
    const l = new Limiter(new RedisLimitBackend({ url: 'redis://127.0.0.1:1', prefix }), { failOpen: true, onError: (m) => errors.push(m) });
    const a = await l.admit(k, { promptTokens: 1, maxOutputTokens: 1 });
    assert.deepEqual(a.headers, {});
    assert.match(errors[0] ?? '', /failOpen/);
    await l.close();
  });
});
