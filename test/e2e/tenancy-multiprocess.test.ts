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
 * Scale-out as design.md promises it: two `switchyard serve` processes sharing Redis (limits) and
 * PostgreSQL (keys, ledger). A 30-per-minute key hammered through both admits exactly 30, not 30 per
 * process; then SIGTERM stops both and every request is in the ledger.
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
      'models:',
      '  - { name: mini, backends: [api] }',
      '',
    ].join('\n'),
  );
  gateways.push(startGateway(configPath), startGateway(configPath));
});

after(async () => {
  if (skip) return;
  for (const g of gateways) g.child.kill('SIGKILL');
  await upstream.close();
  await db.dropSchema(schema);
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('two gateway processes, one 30-per-minute key: exactly 30 served; SIGTERM loses no ledger row', { skip, timeout: 120_000 }, async () => {
  const urls = await Promise.all(gateways.map((g) => g.url));
  const { key, record } = await createKey(new SqlKeyStore(db), { tenant: 'scale', limits: { rpm: 30 } });
  const body = JSON.stringify({ model: 'mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 20 });
  const statuses = await Promise.all(
    Array.from({ length: 90 }, async (_, i) => {
      const res = await fetch(`${urls[i % 2]}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
      await res.arrayBuffer();
      return res.status;
    }),
  );
  assert.equal(statuses.filter((s) => s === 200).length, 30);
  assert.equal(statuses.filter((s) => s === 429).length, 60);

  for (const g of gateways) g.child.kill('SIGTERM');
  const codes = await Promise.all(gateways.map((g) => g.exited));
  assert.deepEqual(codes, [0, 0], gateways.map((g) => g.stderr()).join('\n'));
  const rows = await db.all('SELECT status, COUNT(*) AS n, SUM(cost_usd) AS cost FROM usage_records WHERE key_id = ? GROUP BY status ORDER BY status', [record.id]);
  assert.deepEqual(rows.map((r) => [toNumber(r['status']), toNumber(r['n'])]), [[200, 30], [429, 60]]);
  assert.ok(Math.abs((toNumber(rows[0]?.['cost']) ?? 0) - 30 * ((258 * 0.15 + 2048 * 0.075 + 11 * 0.6) / 1e6)) < 1e-12);
  for (const g of gateways) assert.ok(!g.stderr().includes(key.slice(16)), 'no log line carries the key');

  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`sy:{${record.id}}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});
