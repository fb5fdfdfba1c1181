import { GatewayError } from '../errors/index.js';
import { displayPrefix, formatKey, hashSecret, newPublicId, newSecret } from './key-format.js';
import type { KeyStore } from './key-store.js';
import type { ApiKeyRecord, KeyLimits, NewKeyOptions, PublicKeyView } from './types.js';

const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface CreatedKey {
  /** The whole key. Shown once to whoever created it; never stored, never logged. */
  key: string;
  record: ApiKeyRecord;
}

/** Validates options, creates the tenant if new, stores the key's hash and returns the key once. */
export async function createKey(store: KeyStore, options: NewKeyOptions, now: number = Date.now()): Promise<CreatedKey> {
  validateNewKey(options, now);
  const tenant = await store.ensureTenant(options.tenant, now);
  const publicId = newPublicId();
  const secret = newSecret();
  const record: ApiKeyRecord = {
    id: publicId,
    tenantId: tenant.id,
    tenantName: tenant.name,
    secretHash: hashSecret(secret),
    createdAt: now,
    limits: { ...options.limits },
  };
  if (options.name !== undefined) record.name = options.name;
  if (options.expiresAt !== undefined) record.expiresAt = options.expiresAt;
  if (options.allowedModels !== undefined) record.allowedModels = [...options.allowedModels];
  await store.insertKey(record);
  return { key: formatKey(publicId, secret), record };
}

function invalid(param: string, message: string): GatewayError {
  return new GatewayError('invalid_request', message, { param });
}

export function validateNewKey(options: NewKeyOptions, now: number): void {
  if (!TENANT_NAME.test(options.tenant)) {
    throw invalid('tenant', 'tenant must be 1–64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  const limits: KeyLimits = options.limits ?? {};
  for (const field of ['rpm', 'tpm', 'maxConcurrent'] as const) {
    const v = limits[field];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw invalid(field, `${field} must be a positive integer, got ${v}`);
  }
  if (limits.budgetUsd !== undefined) {
    if (!Number.isFinite(limits.budgetUsd) || limits.budgetUsd < 0) throw invalid('budgetUsd', `budgetUsd must be a non-negative number`);
    if (limits.budgetPeriod === undefined) throw invalid('budgetPeriod', 'a budget needs a period: day or month');
  }
  if (limits.budgetPeriod !== undefined) {
    if (limits.budgetPeriod !== 'day' && limits.budgetPeriod !== 'month') throw invalid('budgetPeriod', 'budgetPeriod must be day or month');
    if (limits.budgetUsd === undefined) throw invalid('budgetUsd', 'a budget period needs budgetUsd');
  }
  if (options.expiresAt !== undefined && (!Number.isFinite(options.expiresAt) || options.expiresAt <= now)) {
    throw invalid('expiresAt', 'expiry must be in the future');
  }
  if (options.allowedModels !== undefined) {
    if (options.allowedModels.length === 0) throw invalid('models', 'the model list is empty: omit it to allow every model');
    for (const m of options.allowedModels) if (m.trim() === '') throw invalid('models', 'model names must not be empty');
  }
}

export function keyStatus(key: ApiKeyRecord, now: number): PublicKeyView['status'] {
  if (key.revokedAt !== undefined) return 'revoked';
  if (key.expiresAt !== undefined && key.expiresAt <= now) return 'expired';
  return 'active';
}

/** A key without its hash, for listings and the admin API. */
export function publicView(key: ApiKeyRecord, now: number = Date.now()): PublicKeyView {
  const { secretHash: _hash, ...rest } = key;
  return { ...rest, prefix: displayPrefix(key.id), status: keyStatus(key, now) };
}

/**
 * Whether `key` may call `model`. Entries match exactly or, ending in `*`, by prefix (`llama-*`).
 * Throws `model_not_allowed` otherwise.
 */
export function checkModelAllowed(key: ApiKeyRecord, model: string): void {
  const allowed = key.allowedModels;
  if (allowed === undefined) return;
  const ok = allowed.some((m) => (m.endsWith('*') ? model.startsWith(m.slice(0, -1)) : m === model));
  if (!ok) {
    throw new GatewayError('model_not_allowed', `API key ${displayPrefix(key.id)} may not use model "${model}"`, { param: 'model' });
  }
}
