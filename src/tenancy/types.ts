/** Tenants own keys; a key carries its limits. Everything here is stored by `KeyStore`. */
export interface Tenant {
  id: string;
  name: string;
  /** Epoch ms. */
  createdAt: number;
  /** Dollars per period for all the tenant's keys together, on top of each key's own limits. */
  budget?: TenantBudget;
}

export type BudgetPeriod = 'day' | 'month';

export interface TenantBudget {
  usd: number;
  period: BudgetPeriod;
}

/** Per-key limits; an absent field means "no limit of that kind". */
export interface KeyLimits {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens per minute (prompt + max output reserved at admission, reconciled at the end). */
  tpm?: number;
  /** Requests in flight at once. */
  maxConcurrent?: number;
  /** Dollars per budget period (UTC calendar day or month). */
  budgetUsd?: number;
  budgetPeriod?: BudgetPeriod;
}

/** A key as stored: never the key itself, only the SHA-256 of its secret part. */
export interface ApiKeyRecord {
  /** The public id, the `<publicId>` in `sy-<publicId>-<secret>`. Safe to log and show. */
  id: string;
  tenantId: string;
  tenantName: string;
  name?: string;
  /** Hex SHA-256 of the secret part. */
  secretHash: string;
  createdAt: number;
  expiresAt?: number;
  revokedAt?: number;
  limits: KeyLimits;
  /** The tenant's budget, shared with its other keys (read with the key, cached with it). */
  tenantBudget?: TenantBudget;
  /** Models this key may call; absent = all. Entries may end in `*` (prefix match). */
  allowedModels?: readonly string[];
}

/** What an admin may set when creating a key. */
export interface NewKeyOptions {
  tenant: string;
  name?: string;
  limits?: KeyLimits;
  allowedModels?: readonly string[];
  expiresAt?: number;
}

/** The key record without its hash: what listings and the admin API show. */
export type PublicKeyView = Omit<ApiKeyRecord, 'secretHash'> & { prefix: string; status: 'active' | 'revoked' | 'expired' };
