import type { SqlDb, SqlValue, Statement } from './db/sql-db.js';
import type { UsageRecord } from './record.js';

const COLUMNS = [
  'id', 'started_at', 'ended_at', 'tenant', 'key_id', 'public_model', 'served_model', 'pool', 'replica', 'hardware',
  'input_tokens', 'cached_input_tokens', 'cache_write_tokens', 'output_tokens', 'reasoning_tokens', 'usage_estimated',
  'cost_usd', 'energy_j', 'ttft_ms', 'latency_ms', 'status', 'error_code', 'tags',
] as const;

/** Rows per INSERT: 500 × 23 parameters stays under SQLite's 32 766 and Postgres's 65 535 bind limits. */
const ROWS_PER_STATEMENT = 500;

const opt = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function values(r: UsageRecord): SqlValue[] {
  return [
    r.id,
    r.startedAt,
    r.endedAt,
    opt(r.tenant),
    opt(r.keyId),
    opt(r.publicModel),
    opt(r.servedModel),
    opt(r.pool),
    opt(r.replica),
    opt(r.hardware),
    opt(r.usage.inputTokens),
    opt(r.usage.cachedInputTokens),
    opt(r.usage.cacheWriteTokens),
    opt(r.usage.outputTokens),
    opt(r.usage.reasoningTokens),
    r.usage.estimated === true ? 1 : 0,
    opt(r.costUsd),
    opt(r.energyJ),
    opt(r.ttftMs),
    r.latencyMs ?? r.endedAt - r.startedAt,
    r.status,
    opt(r.errorCode),
    r.tags === undefined ? null : JSON.stringify(r.tags),
  ];
}

const ROW = `(${COLUMNS.map(() => '?').join(', ')})`;
const INSERT = `INSERT INTO usage_records (${COLUMNS.join(', ')}) VALUES`;
const ON_CONFLICT = 'ON CONFLICT (id) DO NOTHING';
const SINGLE_ROW = `${INSERT} ${ROW} ${ON_CONFLICT}`;

/**
 * Inserts a batch of records in ONE transaction. `ON CONFLICT (id) DO NOTHING` makes a retried batch
 * (after a failure whose outcome we could not see) idempotent instead of failing or double-billing.
 *
 * The statement shape suits each database: Postgres gets multi-row INSERTs (one round trip per 500 rows);
 * SQLite, in-process, runs one cached single-row statement per record, which measured 4.6 µs a record
 * against 7.2 µs for a 500-row statement prepared per batch, and did not grow the process's native
 * heap by tens of MB the way compiling an 11,500-parameter statement on every flush did.
 */
export async function insertUsage(db: SqlDb, records: readonly UsageRecord[]): Promise<void> {
  if (records.length === 0) return;
  const statements: Statement[] = [];
  if (db.dialect === 'sqlite') {
    for (const record of records) statements.push({ sql: SINGLE_ROW, params: values(record) });
  } else {
    for (let i = 0; i < records.length; i += ROWS_PER_STATEMENT) {
      const chunk = records.slice(i, i + ROWS_PER_STATEMENT);
      statements.push({ sql: `${INSERT} ${chunk.map(() => ROW).join(', ')} ${ON_CONFLICT}`, params: chunk.flatMap(values) });
    }
  }
  await db.batch(statements);
}

/** Dollars all of a tenant's keys spent since `sinceMs` by the ledger (seeds a tenant budget's period). */
export async function tenantSpentSince(db: SqlDb, tenant: string, sinceMs: number): Promise<number> {
  const rows = await db.all('SELECT SUM(cost_usd) AS spent FROM usage_records WHERE tenant = ? AND started_at >= ?', [tenant, sinceMs]);
  return Number(rows[0]?.['spent'] ?? 0);
}

/** Dollars a key spent since `sinceMs` by the ledger (seeds a budget period for the limiter). */
export async function spentSince(db: SqlDb, keyId: string, sinceMs: number): Promise<number> {
  const rows = await db.all('SELECT SUM(cost_usd) AS spent FROM usage_records WHERE key_id = ? AND started_at >= ?', [keyId, sinceMs]);
  return Number(rows[0]?.['spent'] ?? 0);
}
