import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError, renderError } from '../errors/index.js';
import type { SqlDb } from '../ledger/db/sql-db.js';
import { isGroupBy, queryUsage, type UsageQuery } from '../ledger/query.js';
import { parseSince } from '../ledger/since.js';
import { spentSince, tenantSpentSince } from '../ledger/usage-store.js';
import { periodOf } from './limits/period.js';
import { keyJson, parseNewKeyBody, parseTenantBudget, tenantJson } from './admin-views.js';
import type { Authenticator } from './authenticator.js';
import type { KeyStore } from './key-store.js';
import { createKey } from './keys.js';

/** A request as any HTTP framework can hand it over. Header names lower-case; `body` parsed JSON or raw text. */
export interface AdminRequest {
  method: string;
  /** Path without the query string, e.g. `/admin/keys/abc`. */
  path: string;
  query: URLSearchParams | Readonly<Record<string, string | undefined>>;
  body: unknown;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface AdminResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface AdminOptions {
  db: SqlDb;
  keys: KeyStore;
  /** Revocations through the admin API take effect in this process at once. */
  authenticator?: Authenticator;
  /** The admin token; when unset the admin API refuses everything (`admin_forbidden`). */
  adminToken: string | undefined;
  now?: () => number;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
/** Shorter admin tokens are refused at start: the admin API can mint keys. */
const MIN_TOKEN = 16;

/**
 * The admin API as a framework-free function; the gateway mounts it under `/admin/`:
 *   POST /admin/keys · GET /admin/keys[?tenant=] · GET|DELETE /admin/keys/{id}
 *   GET|POST /admin/tenants · GET|PATCH /admin/tenants/{name} (budget) · GET /admin/usage?tenant= *   GET|POST /admin/tenants · GET /admin/usage?tenant=&since=&until=&by=since= *   GET|POST /admin/tenants · GET /admin/usage?tenant=&since=&until=&by=until= *   GET|POST /admin/tenants · GET /admin/usage?tenant=&since=&until=&by=by=
 * Errors use the OpenAI envelope from the error catalog.
 */
export function createAdminHandler(options: AdminOptions): (request: AdminRequest) => Promise<AdminResponse> {
  const now = options.now ?? Date.now;
  if (options.adminToken !== undefined && options.adminToken !== '' && options.adminToken.length < MIN_TOKEN) {
    throw new RangeError(`the admin token must have at least ${MIN_TOKEN} characters`);
  }
  const tokenHash = options.adminToken === undefined || options.adminToken === '' ? undefined : sha256(options.adminToken);

  return async (request) => {
    try {
      authorize(request, tokenHash);
      return await route(request, options, now);
    } catch (error) {
      const rendered = renderError(error, 'openai');
      return { status: rendered.status, headers: { ...JSON_HEADERS, ...rendered.headers }, body: rendered.body };
    }
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Compares digests, not the tokens: equal lengths for timingSafeEqual, and no early exit on length. */
function authorize(request: AdminRequest, tokenHash: Buffer | undefined): void {
  if (tokenHash === undefined) throw new GatewayError('admin_forbidden', 'The admin API is disabled: configure an admin token');
  const header = (name: string): string | undefined => {
    const v = request.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const bearer = /^Bearer\s+(.+)$/i.exec(header('authorization')?.trim() ?? '')?.[1];
  const presented = bearer ?? header('x-admin-token');
  if (presented === undefined || !timingSafeEqual(sha256(presented.trim()), tokenHash)) {
    throw new GatewayError('admin_forbidden', 'The admin API needs the admin token (Authorization: Bearer …)');
  }
}

const TENANT_BUDGET_FIELDS: ReadonlySet<string> = new Set(['budget_usd', 'budget_period']);
const NEW_TENANT_FIELDS: ReadonlySet<string> = new Set(['name', 'budget_usd', 'budget_period']);

function objectBody(raw: unknown): Record<string, unknown> {
  const body = parseBody(raw);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GatewayError('invalid_request', 'the body must be a JSON object', { param: 'body' });
  return body as Record<string, unknown>;
}

function param(query: AdminRequest['query'], name: string): string | undefined {
  const v = query instanceof URLSearchParams ? query.get(name) : query[name];
  return v === null || v === undefined || v === '' ? undefined : v;
}

function json(status: number, body: unknown): AdminResponse {
  return { status, headers: { ...JSON_HEADERS }, body };
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    throw new GatewayError('invalid_json', 'The body is not valid JSON');
  }
}

async function route(request: AdminRequest, o: AdminOptions, now: () => number): Promise<AdminResponse> {
  const method = request.method.toUpperCase();
  const parts = request.path.replace(/\/+$/, '').split('/').filter(Boolean); // ['admin', 'keys', id?]
  if (parts[0] !== 'admin' || parts.length < 2 || parts.length > 3) throw new GatewayError('not_found', `No admin route ${request.path}`);
  const resource = parts[1];
  const id = parts[2];
  const notAllowed = (): never => {
    throw new GatewayError('method_not_allowed', `${method} is not allowed on ${request.path}`);
  };

  if (resource === 'keys' && id === undefined) {
    if (method === 'POST') {
      const t = now();
      const created = await createKey(o.keys, parseNewKeyBody(parseBody(request.body), t), t);
      o.authenticator?.noteKeyCreated();
      // The only time the key is ever shown.
      return json(201, { key: created.key, ...keyJson(created.record, t) });
    }
    if (method === 'GET') {
      const tenant = param(request.query, 'tenant');
      const keys = await o.keys.listKeys(tenant === undefined ? {} : { tenant });
      return json(200, { object: 'list', data: keys.map((k) => keyJson(k, now())) });
    }
    return notAllowed();
  }
  if (resource === 'keys' && id !== undefined) {
    if (method === 'GET' || method === 'DELETE') {
      if (method === 'DELETE') {
        const found = await o.keys.revokeKey(id, now());
        if (found) o.authenticator?.invalidate(id);
      }
      const key = await o.keys.getKey(id);
      if (key === undefined) throw new GatewayError('not_found', `No API key with id ${id.slice(0, 32)}`);
      const view = keyJson(key, now());
      const { budgetUsd, budgetPeriod } = key.limits;
      if (method === 'GET' && budgetUsd !== undefined && budgetPeriod !== undefined) {
        // What the ledger says was spent this period: answers "why budget_exceeded?" (the limiter's own
        // counter also holds reservations of requests in flight, and may lead the ledger by one flush).
        const period = periodOf(now(), budgetPeriod);
        const spent = await spentSince(o.db, key.id, period.startMs);
        view['budget'] = { period: period.id, spent_usd: spent, remaining_usd: Math.max(0, budgetUsd - spent), resets_at: new Date(period.endMs).toISOString() };
      }
      return json(200, view);
    }
    return notAllowed();
  }
  if (resource === 'tenants' && id === undefined) {
    if (method === 'GET') {
      const [tenants, keys] = await Promise.all([o.keys.listTenants(), o.keys.listKeys()]);
      const counts = new Map<string, number>();
      for (const k of keys) counts.set(k.tenantId, (counts.get(k.tenantId) ?? 0) + 1);
      return json(200, { object: 'list', data: tenants.map((t) => tenantJson(t, counts.get(t.id) ?? 0)) });
    }
    if (method === 'POST') {
      const body = objectBody(request.body);
      const name = body['name'];
      if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
        throw new GatewayError('invalid_request', 'name must be 1–64 letters, digits, ".", "_" or "-"', { param: 'name' });
      }
      const budget = parseTenantBudget(body, NEW_TENANT_FIELDS);
      let tenant = await o.keys.ensureTenant(name, now());
      if (budget !== 'keep') tenant = (await o.keys.setTenantBudget(name, budget === 'clear' ? undefined : budget)) ?? tenant;
      const keys = await o.keys.listKeys({ tenant: name });
      return json(201, tenantJson(tenant, keys.length));
    }
    return notAllowed();
  }
  if (resource === 'tenants' && id !== undefined) {
    if (method === 'PATCH') {
      const budget = parseTenantBudget(objectBody(request.body), TENANT_BUDGET_FIELDS);
      if (budget !== 'keep') await o.keys.setTenantBudget(id, budget === 'clear' ? undefined : budget);
      // Keys cache their tenant's budget with themselves: drop them so the change holds at once.
      for (const key of await o.keys.listKeys({ tenant: id })) o.authenticator?.invalidate(key.id);
    } else if (method !== 'GET') return notAllowed();
    const tenant = await o.keys.getTenant(id);
    if (tenant === undefined) throw new GatewayError('not_found', `No tenant named ${id.slice(0, 64)}`);
    const view = tenantJson(tenant, (await o.keys.listKeys({ tenant: id })).length);
    if (tenant.budget !== undefined) {
      // What the ledger says the tenant's keys spent this period (see the key view above).
      const period = periodOf(now(), tenant.budget.period);
      const spent = await tenantSpentSince(o.db, tenant.name, period.startMs);
      view['budget'] = { period: period.id, spent_usd: spent, remaining_usd: Math.max(0, tenant.budget.usd - spent), resets_at: new Date(period.endMs).toISOString() };
    }
    return json(200, view);
  }
  if (resource === 'usage' && id === undefined) {
    if (method !== 'GET') return notAllowed();
    return json(200, await queryUsage(o.db, usageQuery(request.query, now())));
  }
  throw new GatewayError('not_found', `No admin route ${request.path}`);
}

/** Reports cover the last 7 days unless asked otherwise (`since=all` for everything), CLI and API alike. */
export const DEFAULT_SINCE = '7d';

/** `?tenant=&key=&since=&until=&by=` → query; shared with the CLI's flags. */
export function usageQuery(query: AdminRequest['query'], now: number): UsageQuery {
  const q: UsageQuery = {};
  const tenant = param(query, 'tenant');
  const key = param(query, 'key');
  const by = param(query, 'by');
  if (tenant !== undefined) q.tenant = tenant;
  if (key !== undefined) q.keyId = key;
  for (const field of ['since', 'until'] as const) {
    const v = param(query, field) ?? (field === 'since' ? DEFAULT_SINCE : undefined);
    if (v === undefined || v === 'all') continue;
    try {
      q[field] = parseSince(v, now);
    } catch (e) {
      throw new GatewayError('invalid_request', (e as Error).message, { param: field });
    }
  }
  if (by !== undefined) {
    if (!isGroupBy(by)) throw new GatewayError('invalid_request', `by must be one of model, served-model, pool, hardware, tenant, key, day, status, tag, tag:NAME`, { param: 'by' });
    q.by = by;
  }
  return q;
}
