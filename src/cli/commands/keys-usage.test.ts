import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDb } from '../../ledger/db/open-db.js';
import { PostgresDb } from '../../ledger/db/postgres-db.js';
import { POSTGRES_URL, skipUnless, uniqueName } from '../../ledger/db/testing.js';
import { insertUsage } from '../../ledger/usage-store.js';
import { Authenticator } from '../../tenancy/authenticator.js';
import { SqlKeyStore } from '../../tenancy/key-store.js';

const BIN = fileURLToPath(new URL('../../../bin/switchyard.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'sy-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: tmp, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Checked once, up front: a check racing with busy tests could time out and skip wrongly.
const pgSkip = await skipUnless(POSTGRES_URL, 'PostgreSQL');

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`keys and usage commands on ${dialect}`, () => {
    const skip = dialect === 'postgres' ? pgSkip : false;
    const schema = uniqueName('sy_cli');
    // The CLI takes a plain URL; the test's own schema rides in libpq's `options` parameter.
    const pgUrl = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const target = dialect === 'sqlite' ? ['--db', join(tmp, `${schema}.db`)] : ['--postgres', pgUrl];
    const open = () => (dialect === 'sqlite' ? openDb({ sqlitePath: join(tmp, `${schema}.db`) }) : PostgresDb.open({ url: POSTGRES_URL, schema }));
    after(async () => {
      if (dialect === 'postgres' && !skip) {
        const db = await PostgresDb.open({ url: POSTGRES_URL, schema });
        await db.dropSchema(schema);
        await db.close();
      }
    });

    test('create prints the key once; it authenticates; list and revoke; usage reads the ledger', { skip, timeout: 60_000 }, async () => {
      if (dialect === 'postgres') await (await PostgresDb.open({ url: POSTGRES_URL, schema })).close(); // creates the schema
      const created = cli(['keys', 'create', '--tenant', 'acme', '--rpm', '60', '--budget-usd', '10', '--period', 'month', '--models', 'gpt-4o,llama-*', '--expires', '30d', ...target]);
      assert.equal(created.code, 0, created.stderr);
      const key = created.stdout.trim();
      assert.match(key, /^sy-[a-z2-7]{12}-[A-Za-z0-9_-]{43}$/);
      assert.ok(!created.stderr.includes(key.slice(16)), 'the note on stderr does not repeat the secret');

      const db = await open();
      const record = await new Authenticator(new SqlKeyStore(db)).authenticate(key);
      assert.deepEqual(record.limits, { rpm: 60, budgetUsd: 10, budgetPeriod: 'month' });
      assert.deepEqual(record.allowedModels, ['gpt-4o', 'llama-*']);

      const list = cli(['keys', 'list', '--json', ...target]);
      assert.equal(list.code, 0, list.stderr);
      const keys = JSON.parse(list.stdout) as Array<{ id: string; status: string }>;
      assert.deepEqual(keys.map((k) => [k.id, k.status]), [[record.id, 'active']]);
      assert.ok(!list.stdout.includes(key.slice(16)));

      assert.equal(cli(['keys', 'revoke', record.id, ...target]).code, 0);
      assert.equal((JSON.parse(cli(['keys', 'list', '--json', ...target]).stdout) as Array<{ status: string }>)[0]?.status, 'revoked');
      assert.equal(cli(['keys', 'revoke', 'nosuchkeyid0', ...target]).code, 1);

      const t = Date.now();
      await insertUsage(db, [
        { id: 'u1', startedAt: t - 100, endedAt: t, tenant: 'acme', keyId: record.id, publicModel: 'gpt-4o', status: 200, costUsd: 0.25, latencyMs: 100, tags: { team: 'search' },
          usage: { inputTokens: 100, cachedInputTokens: 60, cacheWriteTokens: undefined, outputTokens: 20, reasoningTokens: undefined } },
      ]);
      await db.close();
      const usage = cli(['usage', '--by', 'tag:team', '--json', ...target]);
      assert.equal(usage.code, 0, usage.stderr);
      const report = JSON.parse(usage.stdout) as { groups: Array<{ group: string; costUsd: number; cacheWriteTokens: number | null }> };
      assert.deepEqual(report.groups.map((g) => [g.group, g.costUsd, g.cacheWriteTokens]), [['search', 0.25, null]]);
      const csv = cli(['usage', '--by', 'model', '--csv', ...target]);
      assert.match(csv.stdout, /^model,requests,/);
      assert.match(csv.stdout, /\ngpt-4o,1,0,0,100,60,,20,,0.25,0,/);
      const table = cli(['usage', '--tenant', 'acme', '--since', '1h', ...target]);
      assert.match(table.stdout, /TOTAL\s+1\s/);

      // A budget for the tenant as a whole; list shows it with this period's spend from the ledger.
      const budget = cli(['tenants', 'budget', 'acme', '--budget-usd', '50', '--period', 'month', ...target]);
      assert.equal(budget.code, 0, budget.stderr);
      assert.match(budget.stdout, /\$50 per month/);
      const tenants = JSON.parse(cli(['tenants', 'list', '--json', ...target]).stdout) as Array<{ name: string; keys: number; budget_usd: number; spent_usd: number }>;
      assert.deepEqual(tenants.map((x) => [x.name, x.keys, x.budget_usd, x.spent_usd]), [['acme', 1, 50, 0.25]]);
      assert.equal(cli(['tenants', 'budget', 'nosuchtenant', '--budget-usd', '1', '--period', 'day', ...target]).code, 1);
      assert.equal(cli(['tenants', 'budget', 'acme', '--budget-usd', '1', ...target]).code, 2, 'a budget needs a period');
      assert.equal(cli(['tenants', 'budget', 'acme', '--clear', ...target]).code, 0);
      assert.match(cli(['tenants', 'list', ...target]).stdout, /acme\s+1\s+-/);
    });
  });
}

test('--config: the keys and usage commands use the gateway config\'s tenancy database', () => {
  const dbFile = join(tmp, 'from-config.db');
  const configFile = join(tmp, 'switchyard.yaml');
  writeFileSync(configFile, `tenancy: { sqlite: "${dbFile}" }\nbackends: [{ name: p, model: m, replicas: ["http://127.0.0.1:1/v1"] }]\nmodels: [{ name: m, backends: [p] }]\n`);
  const created = cli(['keys', 'create', '--tenant', 'cfg', '--config', configFile]);
  assert.equal(created.code, 0, created.stderr);
  const listed = JSON.parse(cli(['keys', 'list', '--json', '--db', dbFile]).stdout) as Array<{ tenant: string }>;
  assert.deepEqual(listed.map((k) => k.tenant), ['cfg']);
  assert.equal(cli(['usage', '--config', configFile]).code, 0);
  const bad = cli(['keys', 'list', '--config', join(tmp, 'missing.yaml')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /missing\.yaml/);
});

test('bad flags: a message naming the flag and exit code 2', () => {
  for (const [args, pattern] of [
    [['keys', 'create', '--rpm', '5'], /--tenant/],
    [['keys', 'create', '--tenant', 'a', '--rpm', 'x'], /--rpm must be a number/],
    [['keys', 'create', '--tenant', 'a', '--period', 'year', '--budget-usd', '1'], /--period/],
    [['keys', 'create', '--tenant', 'a', '--expires', 'never'], /--expires/],
    [['keys', 'revoke'], /one key id/],
    [['usage', '--by', 'colour'], /--by/],
    [['usage', '--json', '--csv'], /not both/],
  ] as const) {
    const r = cli([...args, '--db', join(tmp, 'flags.db')]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
});
