/**
 * Tenancy and ledger costs on the request path, measured on this machine (2 cores) against the local
 * Redis and PostgreSQL:
 *   - authenticate with a cached key; admit + settle with the memory and the Redis limiter;
 *   - ledger writes (records/s through the batching writer) into SQLite and PostgreSQL;
 *   - the gateway in front of a canned upstream, without tenancy and with it (key, limits, ledger).
 * Prints a table; nothing here is asserted.
 *
 *   node --import tsx bench/tenancy.ts [seconds=3]
 */
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDb } from '../src/ledger/db/sqlite-db.js';
import { PostgresDb } from '../src/ledger/db/postgres-db.js';
import { POSTGRES_URL, REDIS_URL, reachable, uniqueName } from '../src/ledger/db/testing.js';
import type { SqlDb } from '../src/ledger/db/sql-db.js';
import type { UsageRecord } from '../src/ledger/record.js';
import { insertUsage } from '../src/ledger/usage-store.js';
import { LedgerWriter } from '../src/ledger/writer.js';
import { Authenticator } from '../src/tenancy/authenticator.js';
import { SqlKeyStore } from '../src/tenancy/key-store.js';
import { createKey } from '../src/tenancy/keys.js';
import { Limiter } from '../src/tenancy/limits/limiter.js';
import { MemoryLimitBackend } from '../src/tenancy/limits/memory-backend.js';
import { RedisLimitBackend } from '../src/tenancy/limits/redis-backend.js';
import type { ApiKeyRecord } from '../src/tenancy/types.js';
import { Tenancy } from '../src/tenancy/tenancy.js';
import { validateConfig } from '../src/config/load.js';
import type { ConfigInput } from '../src/config/schema.js';
import { Gateway } from '../src/server/gateway.js';
import { listen } from '../src/server/http-server.js';
import { createLogger } from '../src/server/logger.js';
import { tenancyHooks } from '../src/server/tenancy-hooks.js';
import { startFixtureServer } from '../test/support/fixture-server.js';

const seconds = Number(process.argv[2] ?? 3);
const tmp = mkdtempSync(join(tmpdir(), 'sy-bench-'));
const rows: string[][] = [['what', 'ops/s', 'p50', 'p99']];

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}

/** Runs `op` from `concurrency` loops for the duration; reports throughput and latency percentiles (ms). */
async function measure(name: string, concurrency: number, op: () => Promise<unknown>): Promise<void> {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await op();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  rows.push([name, (latencies.length / elapsed).toFixed(0), `${pct(latencies, 0.5).toFixed(3)} ms`, `${pct(latencies, 0.99).toFixed(3)} ms`]);
  console.error(`done: ${name}`);
}

const key = (limits: ApiKeyRecord['limits']): ApiKeyRecord => ({ id: uniqueName('bench'), tenantId: 't', tenantName: 't', secretHash: '', createdAt: 0, limits });
const big = { rpm: 1e9, tpm: 1e12, maxConcurrent: 1e6, budgetUsd: 1e6, budgetPeriod: 'day' as const };
const req = { promptTokens: 500, maxOutputTokens: 200, estimatedCostUsd: 0.001 };
const settled = { inputTokens: 500, cachedInputTokens: 100, outputTokens: 50, costUsd: 0.0005 };

// Authentication with a warm cache.
{
  const db = new SqliteDb(join(tmp, 'auth.db'));
  const store = new SqlKeyStore(db);
  const created = await createKey(store, { tenant: 'bench' });
  const auth = new Authenticator(store);
  await measure('authenticate (cached key)', 1, () => auth.authenticate(created.key));
  await db.close();
}

// Limiters: all four limits set, so every check runs.
{
  const memory = new Limiter(new MemoryLimitBackend());
  const k = key(big);
  await measure('admit+settle, memory', 1, async () => (await memory.admit(k, req)).settle(settled));
  await memory.close();
}
if (await reachable(REDIS_URL)) {
  const prefix = uniqueName('sybench');
  const backend = new RedisLimitBackend({ url: REDIS_URL, prefix });
  const redis = new Limiter(backend);
  const k = key(big);
  await measure('admit+settle, Redis, 1 in flight', 1, async () => (await redis.admit(k, req)).settle(settled));
  await measure('admit+settle, Redis, 64 in flight', 64, async () => (await redis.admit(k, req)).settle(settled));
  await backend.deleteAll();
  await redis.close();
} else rows.push(['Redis limiter', 'skipped: Redis not reachable', '', '']);

// Ledger: records/s through the batching writer.
async function ledger(name: string, db: SqlDb): Promise<void> {
  const writer = new LedgerWriter((records) => insertUsage(db, records));
  const n = 100_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r: UsageRecord = {
      id: `b${i}`, startedAt: Date.now(), endedAt: Date.now() + 120, tenant: 'bench', keyId: 'k', publicModel: 'm', pool: 'p', replica: 'r0',
      usage: { inputTokens: 500, cachedInputTokens: 100, cacheWriteTokens: undefined, outputTokens: 50, reasoningTokens: undefined }, costUsd: 0.0005, latencyMs: 120, status: 200, tags: { team: 'a' },
    };
    writer.write(r);
    if (i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await writer.close();
  const s = (performance.now() - t0) / 1000;
  rows.push([`ledger write+flush, ${name}`, (n / s).toFixed(0), '', '']);
  console.error(`done: ledger ${name}`);
}
{
  const db = new SqliteDb(join(tmp, 'ledger.db'));
  await ledger('SQLite', db);
  await db.close();
}
if (await reachable(POSTGRES_URL)) {
  const schema = uniqueName('sy_bench');
  const db = await PostgresDb.open({ url: POSTGRES_URL, schema });
  await ledger('PostgreSQL', db);
  await db.dropSchema(schema);
  await db.close();
} else rows.push(['ledger, PostgreSQL', 'skipped: not reachable', '', '']);

// The gateway in front of a canned upstream, without and with tenancy.
{
  const upstream = await startFixtureServer();
  const body = readFileSync(new URL('../src/providers/openai-compatible/__fixtures__/chat-cached-usage.json', import.meta.url), 'utf8');
  upstream.respond({ status: 200, headers: { 'content-type': 'application/json' }, body });
  const input: ConfigInput = {
    server: { logLevel: 'silent' },
    backends: [{ name: 'api', model: 'gpt-4o-mini', replicas: [{ id: 'a0', url: `${upstream.url}/v1` }], price: { inputPerMTok: 0.15, cachedInputPerMTok: 0.075, outputPerMTok: 0.6 } }],
    models: [{ name: 'mini', backends: ['api'] }],
  };
  const payload = JSON.stringify({ model: 'mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 50 });
  const run = async (name: string, gateway: Gateway, apiKey: string | undefined): Promise<void> => {
    const server = await listen(gateway, '127.0.0.1', 0);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }) };
    // Warm up (JIT, upstream connection pool) before measuring, so the two runs compare like with like.
    const warmEnd = performance.now() + 1000;
    while (performance.now() < warmEnd) await (await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers, body: payload })).arrayBuffer();
    await measure(name, 16, async () => {
      const res = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers, body: payload });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
    });
    await server.close();
  };
  const config = validateConfig(input);
  await run('gateway, no tenancy (16 clients)', new Gateway({ config, logger: createLogger('silent') }), undefined);
  const tenancy = await Tenancy.open({ sqlitePath: join(tmp, 'gw.db') });
  const created = await createKey(tenancy.keys, { tenant: 'bench', limits: big });
  let gw: Gateway | undefined;
  const hooks = tenancyHooks({ tenancy, config, logger: createLogger('silent'), replicaInFlight: (id) => gw?.fleet.get(id)?.inFlight ?? 0 });
  gw = new Gateway({ config, hooks, logger: createLogger('silent') });
  await run('gateway + key, limits, ledger (16 clients)', gw, created.key);
  await tenancy.close();
  await upstream.close();
}

rmSync(tmp, { recursive: true, force: true });
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
console.log(rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n'));
