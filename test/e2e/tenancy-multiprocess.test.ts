import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { PostgresDb } from '../../src/ledger/db/postgres-db.js';
import { toNumber } from '../../src/ledger/db/sql-db.js';
import { POSTGRES_URL, REDIS_URL, skipUnless, uniqueName } from '../../src/ledger/db/testing.js';
import { SqlKeyStore } from '../../src/tenancy/key-store.js';
import { createKey } from '../../src/tenancy/keys.js';

/**
 * Scale-out as design.md promises it: three `switchyard serve` processes sharing Redis (limits) and
 * PostgreSQL (keys, ledger). A 100-per-minute key hammered with 300 concurrent requests through all three
 * admits exactly 100, not 100 per process; the same for a dollar budget. Then SIGTERM stops all three in
 * the middle of a wave of slow requests, and every request that succeeded is in the ledger.
 */
const skip = (await skipUnless(REDIS_URL, 'Redis')) || (await skipUnless(POSTGRES_URL, 'PostgreSQL'));
const BIN = fileURLToPath(new URL('../../bin/switchyard.js', import.meta.url));
const FIXTURE = new URL('../../src/providers/openai-compatible/__fixtures__/chat-cached-usage.json', import.meta.url);
const schema = uniqueName('sy_e2e_mp');
const dir = mkdtempSync(join(tmpdir(), 'sy-e2e-mp-'));
let upstream: FixtureServer;
let db: PostgresDb;
const gateways: Array<{ child: ChildProcess; url: Promise<string>; exited: Promise<number | null>; stderr: () => string }> = [];

function startGateway(configPath: string) {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', configPath, '--port', '0'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /"msg":"switchyard gateway listening","url":"([^"]+)"/.exec(err);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`gateway exited before listening: ${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, url, exited, stderr: () => err };
}

before(async () => {
  if (skip) return;
  upstream = await startFixtureServer();
  upstream.respond({ status: 200, headers: { 'content-type': 'application/json' }, body: readFileSync(FIXTURE, 'utf8') });
  db = await PostgresDb.open({ url: POSTGRES_URL, schema });
  const pgUrl = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const configPath = join(dir, 'switchyard.yaml');
  writeFileSync(
    configPath,
    [
      'server: { logLevel: info, shutdownGraceMs: 5000 }',
      `tenancy: { requireKeys: true, postgres: "${pgUrl}", redis: "${REDIS_URL}" }`,
      'backends:',
      `  - { name: api, model: gpt-4o-mini, replicas: ["${upstream.url}/v1"], price: { inputPerMTok: 0.15, cachedInputPerMTok: 0.075, outputPerMTok: 0.6 } }`,
      // Output-only prices: the reservation at admission (max_tokens × price) equals the settled cost
      // exactly, so how many requests a budget admits does not depend on their timing.
      `  - { name: api-out, model: gpt-4o-mini, replicas: ["${upstream.url}/v1"], price: { inputPerMTok: 0, cachedInputPerMTok: 0, cacheWritePerMTok: 0, outputPerMTok: 1000 } }`,
      'models:',
      '  - { name: mini, backends: [api] }',
      '  - { name: mini-out, backends: [api-out] }',
      '',
    ].join('\n'),
  );
  gateways.push(startGateway(configPath), startGateway(configPath), startGateway(configPath));
});

after(async () => {
  if (skip) return;
  for (const g of gateways) g.child.kill('SIGKILL');
  await upstream.close();
  await db.dropSchema(schema);
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function fire(urls: string[], count: number, key: string, body: string): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      try {
        const res = await fetch(`${urls[i % urls.length]}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body,
        });
        await res.arrayBuffer();
        return res.status;
      } catch {
        return 0; // refused: the gateway had stopped accepting
      }
    }),
  );
}

async function ledgerByStatus(keyId: string): Promise<Array<[number | null, number | null]>> {
  const rows = await db.all('SELECT status, COUNT(*) AS n FROM usage_records WHERE key_id = ? GROUP BY status ORDER BY status', [keyId]);
  return rows.map((r) => [toNumber(r['status']), toNumber(r['n'])]);
}

async function clearRedis(keyId: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`sy:{${keyId}}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}

const hello = (model: string, maxTokens: number) =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: maxTokens });

test('three gateway processes, one 100-per-minute key, 300 concurrent requests: exactly 100 served', { skip, timeout: 180_000 }, async () => {
  const urls = await Promise.all(gateways.map((g) => g.url));
  const { key, record } = await createKey(new SqlKeyStore(db), { tenant: 'scale', limits: { rpm: 100 } });
  const statuses = await fire(urls, 300, key, hello('mini', 20));
  assert.equal(statuses.filter((s) => s === 200).length, 100);
  assert.equal(statuses.filter((s) => s === 429).length, 200);
  await clearRedis(record.id);
});

test('three gateway processes, one budget worth 100 requests, 300 concurrent requests: exactly 100 served', { skip, timeout: 180_000 }, async () => {
  const urls = await Promise.all(gateways.map((g) => g.url));
  // The fixture answers 11 output tokens; at $1000 per million output tokens one request costs $0.011.
  const perRequest = (11 * 1000) / 1e6;
  const { key, record } = await createKey(new SqlKeyStore(db), {
    tenant: 'scale-budget',
    limits: { budgetUsd: 100.5 * perRequest, budgetPeriod: 'day' },
  });
  const statuses = await fire(urls, 300, key, hello('mini-out', 11));
  assert.equal(statuses.filter((s) => s === 200).length, 100);
  assert.equal(statuses.filter((s) => s === 429).length, 200);
  await clearRedis(record.id);
});

test('SIGTERM under load: every successful request has its ledger row, and no key reaches a log', { skip, timeout: 180_000 }, async () => {
  const urls = await Promise.all(gateways.map((g) => g.url));
  const { key, record } = await createKey(new SqlKeyStore(db), { tenant: 'drain' });
  // Slow answers (the body arrives in two halves 400 ms apart) keep requests in flight at the signal.
  const answer = readFileSync(FIXTURE, 'utf8');
  const half = Math.floor(answer.length / 2);
  upstream.respond({ status: 200, headers: { 'content-type': 'application/json' }, chunks: [answer.slice(0, half), answer.slice(half)], chunkDelayMs: 400 });
  const wave = fire(urls, 150, key, hello('mini', 20));
  await new Promise((resolve) => setTimeout(resolve, 150));
  for (const g of gateways) g.child.kill('SIGTERM');
  const statuses = await wave;
  const codes = await Promise.all(gateways.map((g) => g.exited));
  assert.deepEqual(codes, [0, 0, 0], gateways.map((g) => g.stderr()).join('\n'));
  const succeeded = statuses.filter((s) => s === 200).length;
  assert.ok(succeeded > 0, 'some requests were in flight at the signal and completed');
  const rows = await ledgerByStatus(record.id);
  assert.equal(rows.find(([status]) => status === 200)?.[1] ?? 0, succeeded);
  for (const g of gateways) assert.ok(!g.stderr().includes(key.slice(16)), 'no log line carries the key');
  await clearRedis(record.id);
});
