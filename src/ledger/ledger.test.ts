import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNumber } from './db/sql-db.js';
import { openTestDb, POSTGRES_URL, skipUnless, uniqueName, type TestDb } from './db/testing.js';
import { PostgresDb } from './db/postgres-db.js';
import { queryUsage } from './query.js';
import type { UsageRecord } from './record.js';
import { insertUsage, spentSince } from './usage-store.js';
import { LedgerWriter } from './writer.js';

const tmp = mkdtempSync(join(tmpdir(), 'sy-ledger-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const CHILD = fileURLToPath(new URL('./ledger-child.ts', import.meta.url));

const DAY = Date.UTC(2026, 10, 20);
function rec(i: number, over: Partial<UsageRecord> = {}): UsageRecord {
  return {
    id: `r${i}`,
    startedAt: DAY + i * 1000,
    endedAt: DAY + i * 1000 + 100,
    tenant: 'acme',
    keyId: 'k1',
    publicModel: 'gpt-4o',
    usage: { inputTokens: 100, cachedInputTokens: 40, cacheWriteTokens: undefined, outputTokens: 10, reasoningTokens: undefined },
    costUsd: 0.001,
    latencyMs: 100,
    status: 200,
    ...over,
  };
}

async function count(t: TestDb): Promise<number> {
  const rows = await t.db.all('SELECT COUNT(*) AS n FROM usage_records');
  return toNumber(rows[0]?.['n']) ?? -1;
}

// Checked once, up front: a check racing with busy tests could time out and skip wrongly.
const pgSkip = await skipUnless(POSTGRES_URL, 'PostgreSQL');

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`ledger on ${dialect}`, () => {
    const skip = dialect === 'postgres' ? pgSkip : false;
    let t: TestDb;
    before(async () => {
      if (!skip) t = await openTestDb(dialect, tmp);
    });
    after(async () => {
      if (!skip) await t.dispose();
    });

    test('batch writer under load: every record written, in few transactions', { skip }, async () => {
      let batches = 0;
      const writer = new LedgerWriter(async (records) => {
        batches++;
        await insertUsage(t.db, records);
      }, { flushIntervalMs: 20, maxBatch: 400 });
      const N = 5000;
      // 50 concurrent "requests" each finishing 100 times, interleaved with the flushes.
      await Promise.all(
        Array.from({ length: 50 }, async (_, w) => {
          for (let i = 0; i < 100; i++) {
            writer.write(rec(w * 100 + i, { id: `load-${w}-${i}` }));
            if (i % 10 === 0) await new Promise((r) => setImmediate(r));
          }
        }),
      );
      await writer.close();
      const rows = await t.db.all(`SELECT COUNT(*) AS n FROM usage_records WHERE id LIKE 'load-%'`);
      assert.equal(toNumber(rows[0]?.['n']), N);
      assert.equal(writer.stats.written, N);
      assert.equal(writer.stats.pending, 0);
      assert.ok(batches < N / 10, `${batches} transactions for ${N} records`);
      await t.db.run(`DELETE FROM usage_records WHERE id LIKE 'load-%'`);
    });

    test('unknown counts stay NULL; a retried batch is not double-counted', { skip }, async () => {
      const r = rec(1, { id: 'nulls', usage: { inputTokens: 5, cachedInputTokens: undefined, cacheWriteTokens: undefined, outputTokens: undefined, reasoningTokens: undefined } });
      delete r.costUsd;
      await insertUsage(t.db, [r]);
      await insertUsage(t.db, [r]);
      const rows = await t.db.all(`SELECT input_tokens, output_tokens, cached_input_tokens, cost_usd FROM usage_records WHERE id = 'nulls'`);
      assert.equal(rows.length, 1);
      assert.equal(toNumber(rows[0]?.['input_tokens']), 5);
      assert.equal(rows[0]?.['output_tokens'], null);
      assert.equal(rows[0]?.['cached_input_tokens'], null);
      assert.equal(rows[0]?.['cost_usd'], null);
      await t.db.run(`DELETE FROM usage_records WHERE id = 'nulls'`);
    });

    test('usage report: filters, groups, totals, unknowns and percentiles', { skip }, async () => {
      const records: UsageRecord[] = [
        rec(1, { tags: { team: 'search', env: 'prod' }, latencyMs: 100, energyJ: 5 }),
        rec(2, { tags: { team: 'search' }, latencyMs: 200, energyJ: 7 }),
        // Answered, but the upstream never reported output tokens (a cut stream): unknown, not 0.
        rec(3, { publicModel: 'llama-3.1-8b', pool: 'h100', latencyMs: 300, tags: { team: 'ads' }, usage: { inputTokens: 100, cachedInputTokens: 40, cacheWriteTokens: undefined, outputTokens: undefined, reasoningTokens: undefined } }),
        rec(4, { tenant: 'other', latencyMs: 400 }),
        rec(5, { status: 429, errorCode: 'rate_limit_exceeded', latencyMs: 1, usage: { inputTokens: undefined, cachedInputTokens: undefined, cacheWriteTokens: undefined, outputTokens: undefined, reasoningTokens: undefined } }),
        rec(90_000, { latencyMs: 50 }), // a day later
      ];
      delete records[4]!.costUsd;
      await insertUsage(t.db, records);

      const all = await queryUsage(t.db, { tenant: 'acme', by: 'model' });
      assert.equal(all.totals.requests, 5);
      assert.equal(all.totals.errors, 1);
      assert.equal(all.totals.unknownUsage, 1, 'the answered request without output counts; the refused one is an error, not a loss');
      assert.equal(all.totals.outputTokens, 30);
      assert.equal(all.totals.unknownCost, 1);
      assert.equal(all.totals.inputTokens, 400);
      assert.equal(all.totals.cachedInputTokens, 160);
      assert.equal(all.totals.cacheWriteTokens, null, 'never reported → unknown, not 0');
      assert.ok(Math.abs((all.totals.costUsd ?? 0) - 0.004) < 1e-12);
      assert.equal(all.totals.energyJ, 12);
      assert.equal(all.totals.p50LatencyMs, 100);
      assert.deepEqual(all.groups.map((g) => [g.group, g.requests]), [['gpt-4o', 4], ['llama-3.1-8b', 1]]);

      const byDay = await queryUsage(t.db, { by: 'day' });
      assert.deepEqual(byDay.groups.map((g) => [g.group, g.requests]), [['2026-11-20', 5], ['2026-11-21', 1]]);
      const since = await queryUsage(t.db, { since: DAY + 86_400_000 });
      assert.equal(since.totals.requests, 1);

      const byTag = await queryUsage(t.db, { tenant: 'acme', by: 'tag' });
      assert.deepEqual(byTag.groups.map((g) => [g.group, g.requests]), [['env=prod', 1], ['team=ads', 1], ['team=search', 2], [null, 2]]);
      assert.equal(byTag.totals.requests, 5, 'totals count each request once');
      const team = await queryUsage(t.db, { tenant: 'acme', by: 'tag:team' });
      const search = team.groups.find((g) => g.group === 'search');
      assert.equal(search?.requests, 2);
      assert.equal(search?.p50LatencyMs, 100);
      assert.equal(search?.p95LatencyMs, 200);
      const byTenant = await queryUsage(t.db, { by: 'tenant' });
      assert.deepEqual(byTenant.groups.map((g) => [g.group, g.requests]), [['acme', 5], ['other', 1]]);

      assert.ok(Math.abs((await spentSince(t.db, 'k1', DAY)) - 0.005) < 1e-12);
      assert.equal(await spentSince(t.db, 'nobody', DAY), 0);
    });

    test('SIGTERM: the writer drains its buffer before the process exits', { skip, timeout: 60_000 }, async () => {
      let target: string;
      let schema: string | undefined;
      let counter: TestDb;
      if (dialect === 'sqlite') {
        target = join(tmp, `${uniqueName('sigterm')}.db`);
        counter = { db: new (await import('./db/sqlite-db.js')).SqliteDb(target), dispose: async () => {} };
      } else {
        target = POSTGRES_URL;
        schema = uniqueName('sy_sigterm');
        const db = await PostgresDb.open({ url: POSTGRES_URL, schema });
        counter = { db, dispose: async () => (await db.dropSchema(schema!), await db.close()) };
      }
      try {
        const child = spawn(process.execPath, ['--import', 'tsx', CHILD, target, ...(schema === undefined ? [] : [schema])], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('ready\n')) resolve();
          });
          child.once('exit', () => reject(new Error(`child died before ready: ${err}`)));
        });
        child.kill('SIGTERM');
        assert.equal(await exited, 0, err);
        const result = JSON.parse(out.split('\n').find((l) => l.startsWith('{')) ?? '{}') as { produced: number; pendingAtSignal: number; written: number; dropped: number };
        assert.ok(result.pendingAtSignal > 0, 'the buffer held records at SIGTERM, so the drain is what saved them');
        assert.equal(result.dropped, 0);
        assert.equal(result.written, result.produced);
        assert.equal(await count(counter), result.produced);
      } finally {
        if (dialect === 'sqlite') await counter.db.close();
        await counter.dispose();
      }
    });
  });
}

describe('writer failure handling', () => {
  test('a failing database: records wait and are retried, none lost or duplicated', async () => {
    const seen: string[] = [];
    let failures = 2;
    const errors: string[] = [];
    const writer = new LedgerWriter(async (records) => {
      if (failures-- > 0) throw new Error('database down');
      seen.push(...records.map((r) => r.id));
    }, { flushIntervalMs: 5, maxBatch: 10, onError: (m) => errors.push(m) });
    for (let i = 0; i < 25; i++) writer.write(rec(i));
    await writer.close(10);
    assert.equal(seen.length, 25);
    assert.equal(new Set(seen).size, 25);
    assert.equal(writer.stats.failedFlushes, 2);
    assert.equal(errors.length, 2);
  });

  test('close() gives up on a dead database after its attempts and says how much was lost', async () => {
    const errors: string[] = [];
    const writer = new LedgerWriter(async () => {
      throw new Error('down');
    }, { flushIntervalMs: 1, onError: (m) => errors.push(m) });
    writer.write(rec(1));
    writer.write(rec(2));
    await writer.close(2);
    assert.equal(writer.stats.dropped, 2);
    assert.ok(errors.some((m) => m.includes('2 usage records unwritten')));
  });

  test('a full buffer drops the oldest records, counts them, and says so once', async () => {
    const errors: string[] = [];
    const writer = new LedgerWriter(async () => {
      throw new Error('down');
    }, { flushIntervalMs: 10_000, maxBatch: 1000, maxBuffered: 3, onError: (m) => errors.push(m) });
    for (let i = 0; i < 5; i++) writer.write(rec(i));
    assert.equal(writer.stats.dropped, 2);
    assert.equal(writer.stats.pending, 3);
    assert.equal(errors.filter((m) => m.includes('buffer full')).length, 1);
    await writer.close(1);
  });
});
