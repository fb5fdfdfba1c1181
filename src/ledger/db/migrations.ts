import type { Dialect } from './sql-db.js';

/**
 * The schema, as an ordered list of versioned migrations. Each database records what it has applied in
 * `switchyard_migrations`; opening a store applies what is missing, in order, each in its own transaction.
 * Append only: never edit a migration that has shipped, add the next version.
 *
 * Times are epoch milliseconds (INTEGER / BIGINT) so both dialects compare and bucket them the same way.
 * Token counts are nullable: NULL is "unknown", never written as 0 (design.md, Usage).
 * Usage rows name the tenant (names are unique and never change) so the ledger reads without joins and
 * survives a key's deletion; `tags` is a JSON object of the request's `x-switchyard-tags`.
 */
export interface Migration {
  version: number;
  name: string;
  sql: Record<Dialect, readonly string[]>;
}

const bigint = (d: Dialect): string => (d === 'sqlite' ? 'INTEGER' : 'BIGINT');
const real = (d: Dialect): string => (d === 'sqlite' ? 'REAL' : 'DOUBLE PRECISION');

function initial(d: Dialect): string[] {
  const I = bigint(d);
  const R = real(d);
  return [
    `CREATE TABLE tenants (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      created_at ${I} NOT NULL
    )`,
    `CREATE TABLE api_keys (
      id TEXT PRIMARY KEY,
      tenant_id TEXT NOT NULL REFERENCES tenants(id),
      name TEXT,
      secret_hash TEXT NOT NULL,
      created_at ${I} NOT NULL,
      expires_at ${I},
      revoked_at ${I},
      rpm ${I},
      tpm ${I},
      max_concurrent ${I},
      budget_usd ${R},
      budget_period TEXT,
      allowed_models TEXT
    )`,
    `CREATE INDEX api_keys_tenant ON api_keys (tenant_id)`,
    `CREATE TABLE usage_records (
      id TEXT PRIMARY KEY,
      started_at ${I} NOT NULL,
      ended_at ${I} NOT NULL,
      tenant TEXT,
      key_id TEXT,
      public_model TEXT,
      served_model TEXT,
      pool TEXT,
      replica TEXT,
      hardware TEXT,
      input_tokens ${I},
      cached_input_tokens ${I},
      cache_write_tokens ${I},
      output_tokens ${I},
      reasoning_tokens ${I},
      usage_estimated ${I} NOT NULL DEFAULT 0,
      cost_usd ${R},
      energy_j ${R},
      ttft_ms ${R},
      latency_ms ${R},
      status ${I} NOT NULL,
      error_code TEXT,
      tags TEXT
    )`,
    `CREATE INDEX usage_started ON usage_records (started_at)`,
    `CREATE INDEX usage_tenant_started ON usage_records (tenant, started_at)`,
    `CREATE INDEX usage_key_started ON usage_records (key_id, started_at)`,
  ];
}

/** A tenant's own budget, shared by all its keys (docs/tenancy.md, Tenant budgets). */
function tenantBudgets(d: Dialect): string[] {
  return [`ALTER TABLE tenants ADD COLUMN budget_usd ${real(d)}`, 'ALTER TABLE tenants ADD COLUMN budget_period TEXT'];
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'tenants, api keys, usage records', sql: { sqlite: initial('sqlite'), postgres: initial('postgres') } },
  { version: 2, name: 'tenant budgets', sql: { sqlite: tenantBudgets('sqlite'), postgres: tenantBudgets('postgres') } },
];

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS switchyard_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;
