import type { BackendConfig, Config } from '../config/schema.js';
import { GatewayError } from '../errors/gateway-error.js';
import { readBody } from '../api/http/read-body.js';
import { sendJson } from '../api/http/respond.js';
import { estimateCost, serviceTimeCost, tokenCost, type ModelPrice } from '../ledger/pricing.js';
import type { UsageRecord } from '../ledger/record.js';
import { tagsRecord } from '../ledger/tags.js';
import { presentedKey } from '../tenancy/authenticator.js';
import { checkModelAllowed } from '../tenancy/keys.js';
import type { Tenancy, TenancyConfig } from '../tenancy/tenancy.js';
import type { ApiKeyRecord } from '../tenancy/types.js';
import type { Usage } from '../spec/usage.js';
import type { Gateway } from './gateway.js';
import type { CompletionRecord, GatewayHooks, RequestInfo } from './lifecycle.js';
import type { Logger } from './logger.js';

export interface TenancyHooksOptions {
  tenancy: Tenancy;
  config: Config;
  logger: Logger;
  /** Requests in flight on a replica now (for a self-hosted request's share of its replica). */
  replicaInFlight?: (replicaId: string) => number;
  /** Epoch ms (the gateway's own clock is monotonic, not calendar time). */
  now?: () => number;
}

/**
 * Tenancy and the ledger plugged into the gateway's phases:
 *   authenticate — the API key (required when `tenancy.requireKeys`; a presented key is always checked)
 *   admit        — the key's model allow-list, then limits and budget reserved; x-ratelimit-* headers
 *   account      — the admission settled against real usage and cost, and one ledger row
 */
export function tenancyHooks(options: TenancyHooksOptions): GatewayHooks {
  const { tenancy, config, logger } = options;
  const now = options.now ?? Date.now;
  const keys = new WeakMap<RequestInfo, ApiKeyRecord>();
  const backends = new Map(config.backends.map((b) => [b.name, b]));
  const pricing = new PricingView(config, backends, options.replicaInFlight);

  return {
    async authenticate(info) {
      const presented = presentedKey(info.headers);
      if (presented === undefined && !config.tenancy.requireKeys) return undefined;
      const key = await tenancy.authenticator.authenticate(presented);
      keys.set(info, key);
      return { principal: { tenant: key.tenantName, keyId: key.id } };
    },

    async admit(info, request) {
      const key = keys.get(info);
      if (key === undefined) return undefined;
      checkModelAllowed(key, request.model);
      const admission = await tenancy.limiter.admit(key, {
        promptTokens: request.promptTokens,
        maxOutputTokens: request.maxOutputTokens,
        estimatedCostUsd: pricing.estimate(request.model, request.promptTokens, request.maxOutputTokens),
      });
      return {
        headers: { ...admission.headers },
        release(record) {
          const u = record.usage;
          const nothingKnown = u.inputTokens === undefined && u.outputTokens === undefined;
          // Failed without a word on usage (refused, upstream error): nothing was consumed. A success or
          // a cut-off stream with unknown usage keeps its reservation instead (never assume 0).
          if (nothingKnown && record.status >= 400 && record.status !== 499) void admission.release();
          else void admission.settle({ inputTokens: u.inputTokens, cachedInputTokens: u.cachedInputTokens, outputTokens: u.outputTokens, costUsd: pricing.cost(record) });
        },
      };
    },

    onComplete(record) {
      try {
        tenancy.ledger.write(toUsageRecord(record, now(), pricing));
      } catch (error) {
        logger.error('ledger record failed', { requestId: record.requestId, error });
      }
    },
  };
}

/** Mounts the admin API at `/admin/` (its own token, not an API key). */
export function mountAdmin(gateway: Gateway, tenancy: Tenancy): void {
  gateway.mount('/admin/', async (context) => {
    const { request, response } = context;
    const url = new URL(request.url ?? '/', 'http://gateway');
    let body: string | undefined;
    if (request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH') {
      body = (await readBody(request, gateway.config.server.bodyLimitBytes)).toString('utf8');
    } else request.resume();
    const answer = await tenancy.handleAdmin({
      method: request.method ?? 'GET',
      path: context.info.path,
      query: url.searchParams,
      body,
      headers: request.headers,
    });
    sendJson(response, answer.status, JSON.stringify(answer.body), { ...context.headers, ...answer.headers });
  });
}

/** Prices from the config: token prices for API pools, $/hour by service time for self-hosted ones. */
export class PricingView {
  constructor(
    private readonly config: Config,
    private readonly backends: ReadonlyMap<string, BackendConfig>,
    private readonly replicaInFlight: ((replicaId: string) => number) | undefined,
  ) {}

  /** Worst-case cost over the model's pools that have token prices; 0 when none has (self-hosted). */
  estimate(model: string, promptTokens: number, maxOutputTokens: number): number {
    const route = this.config.models.find((m) => m.name === model || m.aliases.includes(model));
    let worst = 0;
    for (const name of route?.backends ?? []) {
      const price = this.backends.get(name)?.price;
      if (price !== undefined) worst = Math.max(worst, estimateCost(toPrice(price), promptTokens, maxOutputTokens));
    }
    return worst;
  }

  /** Dollars for a finished request; undefined when unknown. A request never dispatched cost nothing. */
  cost(record: CompletionRecord): number | undefined {
    if (record.pool === undefined) return 0;
    const backend = this.backends.get(record.pool);
    if (backend === undefined) return undefined;
    if (backend.price !== undefined) {
      try {
        return tokenCost(record.usage, toPrice(backend.price))?.totalUsd;
      } catch {
        return undefined; // inconsistent usage from an adapter: no bill rather than a wrong one
      }
    }
    if (backend.usdPerHour > 0) return serviceTimeCost(backend.usdPerHour, record.latencyMs, this.share(record));
    return undefined;
  }

  /** Joules for a self-hosted request: its share of the replica's full-load power over its service time (an upper bound). */
  energy(record: CompletionRecord): number | undefined {
    const backend = record.pool === undefined ? undefined : this.backends.get(record.pool);
    if (backend === undefined || backend.price !== undefined || backend.watts <= 0) return undefined;
    return (backend.watts * record.latencyMs * this.share(record)) / 1000;
  }

  /**
   * The request's share of its replica: 1 / requests in flight there when it ends (itself included).
   * An estimate — the engine model attributes exact per-step shares in the emulator and simulator.
   */
  private share(record: CompletionRecord): number {
    if (record.replica === undefined || this.replicaInFlight === undefined) return 1;
    return 1 / Math.max(1, this.replicaInFlight(record.replica) + 1);
  }
}

function toPrice(p: NonNullable<BackendConfig['price']>): ModelPrice {
  const price: ModelPrice = { inputPerMTok: p.inputPerMTok, outputPerMTok: p.outputPerMTok };
  if (p.cachedInputPerMTok !== undefined) price.cachedInputPerMTok = p.cachedInputPerMTok;
  if (p.cacheWritePerMTok !== undefined) price.cacheWritePerMTok = p.cacheWritePerMTok;
  return price;
}

export function toUsageRecord(record: CompletionRecord, endedAt: number, pricing: PricingView): UsageRecord {
  const usage: Usage = { ...record.usage };
  const row: UsageRecord = {
    id: record.requestId,
    startedAt: endedAt - Math.round(record.latencyMs),
    endedAt,
    publicModel: record.model,
    usage,
    latencyMs: record.latencyMs,
    status: record.status,
  };
  if (record.principal !== undefined) {
    row.tenant = record.principal.tenant;
    if (record.principal.keyId !== undefined) row.keyId = record.principal.keyId;
  }
  if (record.servedModel !== undefined) row.servedModel = record.servedModel;
  if (record.pool !== undefined) row.pool = record.pool;
  if (record.replica !== undefined) row.replica = record.replica;
  if (record.hardware !== undefined) row.hardware = record.hardware;
  if (record.ttftMs !== undefined) row.ttftMs = record.ttftMs;
  if (record.errorCode !== undefined) row.errorCode = record.errorCode;
  const cost = pricing.cost(record);
  if (cost !== undefined) row.costUsd = cost;
  const energy = pricing.energy(record);
  if (energy !== undefined) row.energyJ = energy;
  const tags = tagsRecord(record.tags);
  if (tags !== undefined) row.tags = tags;
  return row;
}


/** The config's `tenancy` block as `Tenancy.open` options (admin token falls back to SWITCHYARD_ADMIN_TOKEN). */
export function tenancyOptions(config: Config, env: Readonly<Record<string, string | undefined>> = process.env): TenancyConfig {
  const t = config.tenancy;
  const adminToken = t.adminToken ?? env['SWITCHYARD_ADMIN_TOKEN'];
  return {
    ...(t.postgres === undefined ? { sqlitePath: t.sqlite } : { postgres: t.postgres }),
    ...(t.redis === undefined ? {} : { redis: t.redis }),
    ...(adminToken === undefined || adminToken === '' ? {} : { adminToken }),
    authCacheTtlMs: t.authCacheTtlMs,
    ledger: { flushIntervalMs: t.ledgerFlushMs },
    limiter: { failOpen: t.failOpen },
  };
}
