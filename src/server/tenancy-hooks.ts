import type { Config } from '../config/schema.js';
import { GatewayError } from '../errors/gateway-error.js';
import { readBody } from '../api/http/read-body.js';
import { sendJson } from '../api/http/respond.js';
import type { UsageRecord } from '../ledger/record.js';
import { tagsRecord } from '../ledger/tags.js';
import { presentedKey } from '../tenancy/authenticator.js';
import { checkModelAllowed } from '../tenancy/keys.js';
import type { Tenancy, TenancyConfig } from '../tenancy/tenancy.js';
import type { ApiKeyRecord } from '../tenancy/types.js';
import type { Usage } from '../spec/usage.js';
import type { Gateway } from './gateway.js';
import type { CompletionRecord, GatewayHooks, RequestInfo } from './lifecycle.js';
import { PricingView } from './request-pricing.js';
import type { Logger } from './logger.js';

const COUNT_TOKENS_PATH = '/v1/messages/count_tokens';

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
 *   authenticate — the API key (required per `tenancy.requireKeys`: auto = once any key exists; a
 *                  presented key is always checked)
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
      if (presented === undefined) {
        const required = config.tenancy.requireKeys;
        if (required === false || (required === 'auto' && !(await tenancy.authenticator.keysExist()))) return undefined;
      }
      const key = await tenancy.authenticator.authenticate(presented);
      keys.set(info, key);
      return { principal: { tenant: key.tenantName, keyId: key.id } };
    },

    async admit(info, request) {
      const key = keys.get(info);
      if (key === undefined) return undefined;
      checkModelAllowed(key, request.model);
      // Counting tokens is free and has its own limits upstream (as at Anthropic); Claude Code calls it
      // before most turns, so it must not use up the key's requests or tokens per minute.
      if (info.path === COUNT_TOKENS_PATH) return undefined;
      const ask = {
        promptTokens: request.promptTokens,
        maxOutputTokens: request.maxOutputTokens,
        estimatedCostUsd: pricing.estimate(request.model, request.promptTokens, request.maxOutputTokens),
      };
      // The tenant's budget first: it counts no requests or tokens, so handing its reservation back when
      // the key's own limits refuse leaves nothing behind.
      const tenantAdmission = await tenancy.limiter.admitTenant(key, ask);
      const keyAdmission = await tenancy.limiter.admit(key, ask).catch(async (error: unknown) => {
        await tenantAdmission.release();
        throw error;
      });
      return {
        headers: Object.assign({}, keyAdmission.headers),
        release(record) {
          const u = record.usage;
          const nothingKnown = u.inputTokens === undefined && u.outputTokens === undefined;
          // Failed without a word on usage (refused, upstream error): nothing was consumed. A success or
          // a cut-off stream with unknown usage keeps its reservation instead (never assume 0).
          if (nothingKnown && record.status >= 400 && record.status !== 499) {
            void keyAdmission.release();
            void tenantAdmission.release();
            return;
          }
          const actual = { inputTokens: u.inputTokens, cachedInputTokens: u.cachedInputTokens, outputTokens: u.outputTokens, costUsd: pricing.cost(record) };
          void keyAdmission.settle(actual);
          void tenantAdmission.settle(actual);
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

export function toUsageRecord(record: CompletionRecord, endedAt: number, pricing: PricingView): UsageRecord {
  const u = record.usage;
  const usage: Usage = {
    inputTokens: u.inputTokens,
    cachedInputTokens: u.cachedInputTokens,
    cacheWriteTokens: u.cacheWriteTokens,
    outputTokens: u.outputTokens,
    reasoningTokens: u.reasoningTokens,
  };
  if (u.estimated !== undefined) usage.estimated = u.estimated;
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
