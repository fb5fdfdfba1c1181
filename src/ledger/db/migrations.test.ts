import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { MIGRATIONS, type Migration } from './migrations.js';
import { PostgresDb } from './postgres-db.js';
import { SqliteDb } from './sqlite-db.js';
import { toNumber } from './sql-db.js';
import { POSTGRES_URL, skipUnless, uniqueName } from './testing.js';

const pgSkip = await skipUnless(POSTGRES_URL, 'PostgreSQL');
const tmp = mkdtempSync(join(tmpdir(), 'sy-migrate-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const next: Migration = {
  version: MIGRATIONS.length + 1,
  name: 'test: an added column',
  sql: { sqlite: ['ALTER TABLE usage_records ADD COLUMN test_extra TEXT'], postgres: ['ALTER TABLE usage_records ADD COLUMN test_extra TEXT'] },
};

test('SQLite: migrations apply once, in order; a later version applies on the next open', async () => {
  const path = join(tmp, 'm.db');
  await new SqliteDb(path).close();
  await new SqliteDb(path).close();
  const db = new SqliteDb(path, [...MIGRATIONS, next]);
  const versions = await db.all('SELECT version FROM switchyard_migrations ORDER BY version');
  assert.deepEqual(versions.map((v) => v['version']), [...MIGRATIONS.map((m) => m.version), next.version]);
  await db.run("INSERT INTO usage_records (id, started_at, ended_at, status, test_extra) VALUES ('x', 0, 0, 200, 'ok')");
  await db.close();
});

test('Postgres: gateways opening a fresh schema at once migrate it exactly once', { skip: pgSkip }, async () => {
  const schema = uniqueName('sy_mig');
  const dbs = await Promise.all([0, 1, 2, 3].map(() => PostgresDb.open({ url: POSTGRES_URL, schema })));
  try {
    const rows = await dbs[0]!.all('SELECT COUNT(*) AS n FROM switchyard_migrations');
    assert.equal(toNumber(rows[0]?.['n']), MIGRATIONS.length);
    const upgraded = await PostgresDb.open({ url: POSTGRES_URL, schema }, [...MIGRATIONS, next]);
    const versions = await upgraded.all('SELECT version FROM switchyard_migrations ORDER BY version');
    assert.deepEqual(versions.map((v) => toNumber(v['version'])), [...MIGRATIONS.map((m) => m.version), next.version]);
    await upgraded.close();
  } finally {
    await dbs[0]!.dropSchema(schema);
    await Promise.all(dbs.map((d) => d.close()));
  }
});
