import { randomBytes } from 'node:crypto';
import { toNumber, toOptionalNumber, type Row, type SqlDb, type SqlValue } from '../ledger/db/sql-db.js';
import type { ApiKeyRecord, BudgetPeriod, KeyLimits, Tenant, TenantBudget } from './types.js';

/**
 * Tenants and keys in the shared database (SQLite or Postgres through `SqlDb`). One implementation for
 * both dialects: the statements are portable SQL.
 */
export interface KeyStore {
  ensureTenant(name: string, now: number): Promise<Tenant>;
  getTenant(name: string): Promise<Tenant | undefined>;
  listTenants(): Promise<Tenant[]>;
  /** Sets (or with undefined, removes) a tenant's budget; undefined when there is no such tenant. */
  setTenantBudget(name: string, budget: TenantBudget | undefined): Promise<Tenant | undefined>;
  insertKey(key: ApiKeyRecord): Promise<void>;
  getKey(id: string): Promise<ApiKeyRecord | undefined>;
  listKeys(filter?: { tenant?: string }): Promise<ApiKeyRecord[]>;
  /** Marks a key revoked; false when there is no such key. Revoking twice keeps the first time. */
  revokeKey(id: string, now: number): Promise<boolean>;
  /** Whether any key was ever created (revoked ones included): `requireKeys: auto` locks from then on. */
  hasAnyKey(): Promise<boolean>;
}

const KEY_COLUMNS = `k.id, k.tenant_id, t.name AS tenant_name, k.name, k.secret_hash, k.created_at, k.expires_at,
  k.revoked_at, k.rpm, k.tpm, k.max_concurrent, k.budget_usd, k.budget_period, k.allowed_models,
  t.budget_usd AS tenant_budget_usd, t.budget_period AS tenant_budget_period`;
const TENANT_COLUMNS = 'id, name, created_at, budget_usd, budget_period';

export class SqlKeyStore implements KeyStore {
  constructor(private readonly db: SqlDb) {}

  async ensureTenant(name: string, now: number): Promise<Tenant> {
    const id = `tn_${randomBytes(8).toString('hex')}`;
    // ON CONFLICT DO NOTHING works in SQLite ≥ 3.24 and Postgres ≥ 9.5: two processes creating the same
    // tenant at once both end up with the one row.
    await this.db.run('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', [id, name, now]);
    const tenant = await this.getTenant(name);
    if (tenant === undefined) throw new Error(`tenant "${name}" vanished after insert`);
    return tenant;
  }

  async getTenant(name: string): Promise<Tenant | undefined> {
    const rows = await this.db.all(`SELECT ${TENANT_COLUMNS} FROM tenants WHERE name = ?`, [name]);
    return rows[0] === undefined ? undefined : toTenant(rows[0]);
  }

  async listTenants(): Promise<Tenant[]> {
    const rows = await this.db.all(`SELECT ${TENANT_COLUMNS} FROM tenants ORDER BY name`);
    return rows.map(toTenant);
  }

  async setTenantBudget(name: string, budget: TenantBudget | undefined): Promise<Tenant | undefined> {
    const result = await this.db.run('UPDATE tenants SET budget_usd = ?, budget_period = ? WHERE name = ?', [budget?.usd ?? null, budget?.period ?? null, name]);
    return result.changes === 0 ? undefined : this.getTenant(name);
  }

  async insertKey(key: ApiKeyRecord): Promise<void> {
    const l = key.limits;
    const params: SqlValue[] = [
      key.id,
      key.tenantId,
      key.name ?? null,
      key.secretHash,
      key.createdAt,
      key.expiresAt ?? null,
      key.revokedAt ?? null,
      l.rpm ?? null,
      l.tpm ?? null,
      l.maxConcurrent ?? null,
      l.budgetUsd ?? null,
      l.budgetPeriod ?? null,
      key.allowedModels === undefined ? null : JSON.stringify(key.allowedModels),
    ];
    await this.db.run(
      `INSERT INTO api_keys (id, tenant_id, name, secret_hash, created_at, expires_at, revoked_at, rpm, tpm,
        max_concurrent, budget_usd, budget_period, allowed_models) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      params,
    );
  }

  async getKey(id: string): Promise<ApiKeyRecord | undefined> {
    const rows = await this.db.all(`SELECT ${KEY_COLUMNS} FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.id = ?`, [id]);
    return rows[0] === undefined ? undefined : toKey(rows[0]);
  }

  async listKeys(filter: { tenant?: string } = {}): Promise<ApiKeyRecord[]> {
    const where = filter.tenant === undefined ? '' : 'WHERE t.name = ?';
    const params = filter.tenant === undefined ? [] : [filter.tenant];
    const rows = await this.db.all(
      `SELECT ${KEY_COLUMNS} FROM api_keys k JOIN tenants t ON t.id = k.tenant_id ${where} ORDER BY k.created_at, k.id`,
      params,
    );
    return rows.map(toKey);
  }

  async hasAnyKey(): Promise<boolean> {
    return (await this.db.all('SELECT id FROM api_keys LIMIT 1')).length > 0;
  }

  async revokeKey(id: string, now: number): Promise<boolean> {
    const result = await this.db.run('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?', [now, id]);
    return result.changes > 0;
  }
}

function toTenant(row: Row): Tenant {
  const tenant: Tenant = { id: String(row['id']), name: String(row['name']), createdAt: toNumber(row['created_at']) ?? 0 };
  const budget = toBudget(row['budget_usd'], row['budget_period']);
  if (budget !== undefined) tenant.budget = budget;
  return tenant;
}

function toBudget(usd: unknown, period: unknown): TenantBudget | undefined {
  const amount = toOptionalNumber(usd);
  return amount !== undefined && (period === 'day' || period === 'month') ? { usd: amount, period } : undefined;
}

function toKey(row: Row): ApiKeyRecord {
  const limits: KeyLimits = {};
  const rpm = toOptionalNumber(row['rpm']);
  const tpm = toOptionalNumber(row['tpm']);
  const maxConcurrent = toOptionalNumber(row['max_concurrent']);
  const budgetUsd = toOptionalNumber(row['budget_usd']);
  if (rpm !== undefined) limits.rpm = rpm;
  if (tpm !== undefined) limits.tpm = tpm;
  if (maxConcurrent !== undefined) limits.maxConcurrent = maxConcurrent;
  if (budgetUsd !== undefined) limits.budgetUsd = budgetUsd;
  const period = row['budget_period'];
  if (period === 'day' || period === 'month') limits.budgetPeriod = period satisfies BudgetPeriod;
  const key: ApiKeyRecord = {
    id: String(row['id']),
    tenantId: String(row['tenant_id']),
    tenantName: String(row['tenant_name']),
    secretHash: String(row['secret_hash']),
    createdAt: toNumber(row['created_at']) ?? 0,
    limits,
  };
  if (typeof row['name'] === 'string') key.name = row['name'];
  const tenantBudget = toBudget(row['tenant_budget_usd'], row['tenant_budget_period']);
  if (tenantBudget !== undefined) key.tenantBudget = tenantBudget;
  const expiresAt = toOptionalNumber(row['expires_at']);
  const revokedAt = toOptionalNumber(row['revoked_at']);
  if (expiresAt !== undefined) key.expiresAt = expiresAt;
  if (revokedAt !== undefined) key.revokedAt = revokedAt;
  if (typeof row['allowed_models'] === 'string') {
    const models: unknown = JSON.parse(row['allowed_models']);
    if (Array.isArray(models)) key.allowedModels = models.map(String);
  }
  return key;
}
