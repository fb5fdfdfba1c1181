import { GatewayError } from '../errors/index.js';
import { parseExpiry } from '../ledger/since.js';
import { publicView } from './keys.js';
import type { ApiKeyRecord, KeyLimits, NewKeyOptions, Tenant, TenantBudget } from './types.js';

/** The admin API's JSON shapes: snake_case like OpenAI's own admin API, times as ISO strings. */
const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export function keyJson(key: ApiKeyRecord, now: number): Record<string, unknown> {
  const v = publicView(key, now);
  return {
    id: v.id,
    prefix: v.prefix,
    tenant: v.tenantName,
    name: v.name ?? null,
    status: v.status,
    created_at: iso(v.createdAt),
    expires_at: iso(v.expiresAt),
    revoked_at: iso(v.revokedAt),
    limits: {
      rpm: v.limits.rpm ?? null,
      tpm: v.limits.tpm ?? null,
      max_concurrent: v.limits.maxConcurrent ?? null,
      budget_usd: v.limits.budgetUsd ?? null,
      budget_period: v.limits.budgetPeriod ?? null,
    },
    models: v.allowedModels ?? null,
  };
}

export function tenantJson(t: Tenant, keys: number): Record<string, unknown> {
  return { id: t.id, name: t.name, created_at: iso(t.createdAt), keys, budget_usd: t.budget?.usd ?? null, budget_period: t.budget?.period ?? null };
}

/**
 * A tenant budget from a body's `budget_usd` and `budget_period`: both given sets it, `budget_usd: null`
 * removes it (`clear`), neither leaves it alone (`keep`). Unknown fields are refused, like keys'.
 */
export function parseTenantBudget(body: Record<string, unknown>, allowed: ReadonlySet<string>): TenantBudget | 'clear' | 'keep' {
  for (const field of Object.keys(body)) if (!allowed.has(field)) throw invalid(field, `unknown field "${field}"`);
  if (body['budget_usd'] === null) return 'clear';
  const usd = optionalNumber(body, 'budget_usd');
  const period = optionalString(body, 'budget_period');
  if (usd === undefined && period === undefined) return 'keep';
  if (usd === undefined || usd < 0) throw invalid('budget_usd', 'budget_usd must be a non-negative number');
  if (period !== 'day' && period !== 'month') throw invalid('budget_period', 'a budget needs budget_period "day" or "month"');
  return { usd, period };
}

function invalid(param: string, message: string): GatewayError {
  return new GatewayError('invalid_request', message, { param });
}

function optionalNumber(body: Record<string, unknown>, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(field, `${field} must be a number`);
  return v;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(field, `${field} must be a string`);
  return v;
}

const KNOWN = new Set(['tenant', 'name', 'rpm', 'tpm', 'max_concurrent', 'budget_usd', 'budget_period', 'models', 'expires', 'expires_at']);

/** `POST /admin/keys` body → key options. Unknown fields are refused, so a typo never silently drops a limit. */
export function parseNewKeyBody(body: unknown, now: number): NewKeyOptions {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'the body must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const field of Object.keys(b)) if (!KNOWN.has(field)) throw invalid(field, `unknown field "${field}"`);
  const tenant = optionalString(b, 'tenant');
  if (tenant === undefined) throw invalid('tenant', 'tenant is required');
  const limits: KeyLimits = {};
  const rpm = optionalNumber(b, 'rpm');
  const tpm = optionalNumber(b, 'tpm');
  const maxConcurrent = optionalNumber(b, 'max_concurrent');
  const budgetUsd = optionalNumber(b, 'budget_usd');
  const period = optionalString(b, 'budget_period');
  if (rpm !== undefined) limits.rpm = rpm;
  if (tpm !== undefined) limits.tpm = tpm;
  if (maxConcurrent !== undefined) limits.maxConcurrent = maxConcurrent;
  if (budgetUsd !== undefined) limits.budgetUsd = budgetUsd;
  if (period !== undefined) {
    if (period !== 'day' && period !== 'month') throw invalid('budget_period', 'budget_period must be "day" or "month"');
    limits.budgetPeriod = period;
  }
  const options: NewKeyOptions = { tenant, limits };
  const name = optionalString(b, 'name');
  if (name !== undefined) options.name = name;
  const models = b['models'];
  if (models !== undefined && models !== null) {
    if (!Array.isArray(models) || !models.every((m) => typeof m === 'string')) throw invalid('models', 'models must be an array of model names');
    options.allowedModels = models as string[];
  }
  const expires = optionalString(b, 'expires') ?? optionalString(b, 'expires_at');
  if (expires !== undefined) {
    try {
      options.expiresAt = parseExpiry(expires, now);
    } catch (e) {
      throw invalid('expires', (e as Error).message);
    }
  }
  return options;
}
