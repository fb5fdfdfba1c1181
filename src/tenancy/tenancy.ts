import { openDb, type OpenDbOptions } from '../ledger/db/open-db.js';
import type { SqlDb } from '../ledger/db/sql-db.js';
import type { UsageRecord } from '../ledger/record.js';
import { insertUsage, spentSince, tenantSpentSince } from '../ledger/usage-store.js';
import { LedgerWriter, type LedgerWriterOptions } from '../ledger/writer.js';
import { createAdminHandler, type AdminRequest, type AdminResponse } from './admin.js';
import { Authenticator, presentedKey } from './authenticator.js';
import { SqlKeyStore } from './key-store.js';
import { Limiter, type LimiterOptions } from './limits/limiter.js';
import { MemoryLimitBackend } from './limits/memory-backend.js';
import type { LimitBackend } from './limits/types.js';
import type { Admission, ActualUsage } from './limits/types.js';
import type { ApiKeyRecord } from './types.js';

export interface TenancyConfig extends OpenDbOptions {
  /** `redis://…`: limits shared by every gateway process. Unset: limits in this process's memory. */
  redis?: string;
  redisPrefix?: string;
  /** Enables the admin API. */
  adminToken?: string;
  /** Bound on how late another process's revocation takes effect here. Default 5 s. */
  authCacheTtlMs?: number;
  ledger?: LedgerWriterOptions;
  limiter?: Omit<LimiterOptions, 'spentSince' | 'tenantSpentSince'>;
}

/**
 * Everything the gateway needs from tenancy and the ledger, opened from one config. Per request:
 *
 *   const key = await tenancy.authenticate(req.headers);          // 401 missing_api_key / invalid_api_key
 *   checkModelAllowed(key, body.model);                           // 403 model_not_allowed
 *   const admission = await tenancy.limiter.admit(key, {...});    // 429 with x-ratelimit-* headers
 *   …set admission.headers on the response, serve the request…
 *   tenancy.finish(admission, record);                            // settle + one ledger row, exactly once
 *
 * and at shutdown `await tenancy.close()` (drains the ledger buffer).
 */
export class Tenancy {
  readonly keys: SqlKeyStore;
  readonly authenticator: Authenticator;
  readonly limiter: Limiter;
  readonly ledger: LedgerWriter;
  readonly handleAdmin: (request: AdminRequest) => Promise<AdminResponse>;

  private constructor(readonly db: SqlDb, config: TenancyConfig, backend: LimitBackend) {
    this.keys = new SqlKeyStore(db);
    this.authenticator = new Authenticator(this.keys, config.authCacheTtlMs === undefined ? {} : { cacheTtlMs: config.authCacheTtlMs });
    this.limiter = new Limiter(backend, {
      ...config.limiter,
      spentSince: (keyId, since) => spentSince(db, keyId, since),
      tenantSpentSince: (tenant, since) => tenantSpentSince(db, tenant, since),
    });
    this.ledger = new LedgerWriter((records) => insertUsage(db, records), config.ledger);
    this.handleAdmin = createAdminHandler({ db, keys: this.keys, authenticator: this.authenticator, adminToken: config.adminToken });
  }

  static async open(config: TenancyConfig = {}): Promise<Tenancy> {
    const db = await openDb(config);
    try {
      return new Tenancy(db, config, await limitBackend(config));
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  /** The key from `Authorization: Bearer` or `x-api-key`, authenticated. */
  authenticate(headers: Readonly<Record<string, string | string[] | undefined>>): Promise<ApiKeyRecord> {
    return this.authenticator.authenticate(presentedKey(headers));
  }

  /**
   * Ends a request: settles its admission against what it really used (unknowns keep the reservation)
   * and queues its ledger row. Never throws; call it once from the request's `finally`.
   */
  finish(admission: Admission | undefined, record: UsageRecord): Promise<void> {
    this.ledger.write(record);
    if (admission === undefined) return Promise.resolve();
    const actual: ActualUsage = {
      inputTokens: record.usage.inputTokens,
      cachedInputTokens: record.usage.cachedInputTokens,
      outputTokens: record.usage.outputTokens,
      costUsd: record.costUsd,
    };
    return admission.settle(actual);
  }

  /** Drains the ledger, then closes the limiter and the database. */
  async close(): Promise<void> {
    await this.ledger.close();
    await this.limiter.close();
    await this.db.close();
  }
}

/**
 * In memory, or in Redis when configured. The Redis client is imported only then: a gateway that does not
 * use it should not carry ioredis in its heap.
 */
async function limitBackend(config: TenancyConfig): Promise<LimitBackend> {
  if (config.redis === undefined) return new MemoryLimitBackend();
  const { RedisLimitBackend } = await import('./limits/redis-backend.js');
  return new RedisLimitBackend({ url: config.redis, ...(config.redisPrefix === undefined ? {} : { prefix: config.redisPrefix }) });
}
