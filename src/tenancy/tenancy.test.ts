import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../errors/index.js';
import { SqliteDb } from '../ledger/db/sqlite-db.js';
import { queryUsage } from '../ledger/query.js';
import { createKey } from './keys.js';
import { Tenancy } from './tenancy.js';

const tmp = mkdtempSync(join(tmpdir(), 'sy-tenancy-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('a request through the facade: authenticate, admit, finish; the ledger row survives close()', async () => {
  const path = join(tmp, 'facade.db');
  const tenancy = await Tenancy.open({ sqlitePath: path, ledger: { flushIntervalMs: 60_000 } });
  const { key, record } = await createKey(tenancy.keys, { tenant: 'acme', limits: { rpm: 1, budgetUsd: 1, budgetPeriod: 'day' } });
  const k = await tenancy.authenticate({ authorization: `Bearer ${key}` });
  assert.equal(k.id, record.id);
  const admission = await tenancy.limiter.admit(k, { promptTokens: 10, maxOutputTokens: 10, estimatedCostUsd: 0.01 });
  assert.equal(admission.headers['x-ratelimit-remaining-requests'], '0');
  const t = Date.now();
  await tenancy.finish(admission, {
    id: 'req-1', startedAt: t - 50, endedAt: t, tenant: k.tenantName, keyId: k.id, publicModel: 'gpt-4o', status: 200, costUsd: 0.002,
    usage: { inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: undefined, outputTokens: 3, reasoningTokens: undefined },
  });
  assert.equal(admission.done, true);
  await assert.rejects(tenancy.limiter.admit(k, { promptTokens: 1, maxOutputTokens: 1 }), (e: unknown) => GatewayError.isInstance(e) && e.code === 'rate_limit_exceeded');
  await tenancy.close();

  const db = new SqliteDb(path);
  const report = await queryUsage(db, {});
  assert.equal(report.totals.requests, 1);
  assert.equal(report.totals.costUsd, 0.002);
  await db.close();
});
