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

/**
 * Inserts a batch of records in ONE transaction, as multi-row INSERTs. `ON CONFLICT (id) DO NOTHING`
 * makes a retried batch (after a failure whose outcome we could not see) idempotent instead of failing
 * or double-billing.
 */
export async function insertUsage(db: SqlDb, records: readonly UsageRecord[]): Promise<void> {
  if (records.length === 0) return;
  const statements: Statement[] = [];
  const row = `(${COLUMNS.map(() => '?').join(', ')})`;
  for (let i = 0; i < records.length; i += ROWS_PER_STATEMENT) {
    const chunk = records.slice(i, i + ROWS_PER_STATEMENT);
    statements.push({
      sql: `INSERT INTO usage_records (${COLUMNS.join(', ')}) VALUES ${chunk.map(() => row).join(', ')} ON CONFLICT (id) DO NOTHING`,
      params: chunk.flatMap(values),
    });
  }
  await db.batch(statements);
}

/** Dollars a key spent since `sinceMs` by the ledger (seeds a budget period for the limiter). */
export async function spentSince(db: SqlDb, keyId: string, sinceMs: number): Promise<number> {
  const rows = await db.all('SELECT SUM(cost_usd) AS spent FROM usage_records WHERE key_id = ? AND started_at >= ?', [keyId, sinceMs]);
  return Number(rows[0]?.['spent'] ?? 0);
}
