import { isTagName } from './tags.js';
import { toNumber, type Dialect, type Row, type SqlDb, type SqlValue } from './db/sql-db.js';

export type GroupBy = 'model' | 'served-model' | 'pool' | 'hardware' | 'tenant' | 'key' | 'day' | 'status' | 'tag' | `tag:${string}`;
export const GROUP_BYS = ['model', 'served-model', 'pool', 'hardware', 'tenant', 'key', 'day', 'status', 'tag', 'tag:NAME'] as const;

export interface UsageQuery {
  tenant?: string;
  keyId?: string;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
  by?: GroupBy;
}

/** Totals over a set of requests. A token or money sum is null when no request in the set knew it. */
export interface UsageTotals {
  requests: number;
  errors: number;
  /** Answered requests (status < 400) whose input or output count is unknown: missing from the token sums. */
  unknownUsage: number;
  /** Requests whose cost is unknown (no price, or unknown usage): missing from `costUsd`. */
  unknownCost: number;
  /** Requests whose counts come from our tokenizer rather than the provider. */
  estimatedUsage: number;
  inputTokens: number | null;
  cachedInputTokens: number | null;
  cacheWriteTokens: number | null;
  outputTokens: number | null;
  reasoningTokens: number | null;
  costUsd: number | null;
  energyJ: number | null;
  meanTtftMs: number | null;
  meanLatencyMs: number | null;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
}

export interface UsageGroup extends UsageTotals {
  /** The group's value (`null`: requests without one, e.g. no tag). */
  group: string | null;
}

export interface UsageReport {
  by: GroupBy | undefined;
  since: number | undefined;
  until: number | undefined;
  groups: UsageGroup[];
  totals: UsageTotals;
}

export function isGroupBy(value: string): value is GroupBy {
  if (value.startsWith('tag:')) return isTagName(value.slice(4));
  return (GROUP_BYS as readonly string[]).includes(value);
}

interface Grouping {
  /** SQL for the group value, its parameters (bound before the WHERE ones), and extra FROM. */
  expr: string;
  params: SqlValue[];
  join: string;
}

function grouping(by: GroupBy, dialect: Dialect): Grouping {
  const column = (c: string): Grouping => ({ expr: `r.${c}`, params: [], join: '' });
  switch (by) {
    case 'model':
      return column('public_model');
    case 'served-model':
      return column('served_model');
    case 'pool':
      return column('pool');
    case 'hardware':
      return column('hardware');
    case 'tenant':
      return column('tenant');
    case 'key':
      return column('key_id');
    case 'status':
      return { expr: 'CAST(r.status AS TEXT)', params: [], join: '' };
    case 'day':
      return {
        expr: dialect === 'sqlite' ? `strftime('%Y-%m-%d', r.started_at / 1000, 'unixepoch')` : `to_char(to_timestamp(r.started_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
        params: [],
        join: '',
      };
    case 'tag':
      // One row per (request, tag): a request with two tags counts in both groups; totals stay exact
      // because they come from an ungrouped query.
      return dialect === 'sqlite'
        ? { expr: `j.key || '=' || j.value`, params: [], join: 'LEFT JOIN json_each(r.tags) j' }
        : { expr: `j.key || '=' || j.value`, params: [], join: 'LEFT JOIN LATERAL jsonb_each_text(r.tags::jsonb) j ON true' };
    default: {
      const name = by.slice(4);
      return dialect === 'sqlite'
        ? { expr: `json_extract(r.tags, ?)`, params: [`$."${name}"`], join: '' }
        : { expr: `(r.tags::jsonb ->> ?)`, params: [name], join: '' };
    }
  }
}

const AGGREGATES = `COUNT(*) AS requests,
  SUM(CASE WHEN r.status >= 400 THEN 1 ELSE 0 END) AS errors,
  SUM(CASE WHEN r.status < 400 AND (r.input_tokens IS NULL OR r.output_tokens IS NULL) THEN 1 ELSE 0 END) AS unknown_usage,
  SUM(CASE WHEN r.cost_usd IS NULL THEN 1 ELSE 0 END) AS unknown_cost,
  SUM(r.usage_estimated) AS estimated_usage,
  SUM(r.input_tokens) AS input_tokens,
  SUM(r.cached_input_tokens) AS cached_input_tokens,
  SUM(r.cache_write_tokens) AS cache_write_tokens,
  SUM(r.output_tokens) AS output_tokens,
  SUM(r.reasoning_tokens) AS reasoning_tokens,
  SUM(r.cost_usd) AS cost_usd,
  SUM(r.energy_j) AS energy_j,
  AVG(r.ttft_ms) AS mean_ttft_ms,
  AVG(r.latency_ms) AS mean_latency_ms`;

function where(q: UsageQuery): { sql: string; params: SqlValue[] } {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  if (q.tenant !== undefined) (clauses.push('r.tenant = ?'), params.push(q.tenant));
  if (q.keyId !== undefined) (clauses.push('r.key_id = ?'), params.push(q.keyId));
  if (q.since !== undefined) (clauses.push('r.started_at >= ?'), params.push(q.since));
  if (q.until !== undefined) (clauses.push('r.started_at < ?'), params.push(q.until));
  return { sql: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, params };
}

function totalsOf(row: Row | undefined): UsageTotals {
  const n = (k: string): number | null => toNumber(row?.[k]);
  return {
    requests: n('requests') ?? 0,
    errors: n('errors') ?? 0,
    unknownUsage: n('unknown_usage') ?? 0,
    unknownCost: n('unknown_cost') ?? 0,
    estimatedUsage: n('estimated_usage') ?? 0,
    inputTokens: n('input_tokens'),
    cachedInputTokens: n('cached_input_tokens'),
    cacheWriteTokens: n('cache_write_tokens'),
    outputTokens: n('output_tokens'),
    reasoningTokens: n('reasoning_tokens'),
    costUsd: n('cost_usd'),
    energyJ: n('energy_j'),
    meanTtftMs: n('mean_ttft_ms'),
    meanLatencyMs: n('mean_latency_ms'),
    p50LatencyMs: n('p50'),
    p95LatencyMs: n('p95'),
  };
}

/**
 * Nearest-rank percentiles with window functions, which SQLite (≥ 3.25) and Postgres both have, so one
 * query serves both (SQLite has no percentile_cont).
 */
function percentileSql(groupExpr: string, join: string, whereSql: string): string {
  return `WITH ranked AS (
    SELECT ${groupExpr} AS grp, r.latency_ms AS v,
      ROW_NUMBER() OVER (PARTITION BY ${groupExpr} ORDER BY r.latency_ms) AS rn,
      COUNT(*) OVER (PARTITION BY ${groupExpr}) AS n
    FROM usage_records r ${join} ${whereSql} ${whereSql === '' ? 'WHERE' : 'AND'} r.latency_ms IS NOT NULL)
  SELECT grp, MIN(CASE WHEN rn >= 0.5 * n THEN v END) AS p50, MIN(CASE WHEN rn >= 0.95 * n THEN v END) AS p95
  FROM ranked GROUP BY grp`;
}

/** The usage report behind `switchyard usage` and `GET /admin/usage`. */
export async function queryUsage(db: SqlDb, q: UsageQuery): Promise<UsageReport> {
  const w = where(q);
  const [totalRow] = await db.all(`SELECT ${AGGREGATES} FROM usage_records r ${w.sql}`, w.params);
  const [totalPct] = await db.all(percentileSql(`'all'`, '', w.sql), w.params);
  const totals = totalsOf({ ...totalRow, p50: totalPct?.['p50'] ?? null, p95: totalPct?.['p95'] ?? null });
  const groups: UsageGroup[] = [];
  if (q.by !== undefined) {
    const g = grouping(q.by, db.dialect);
    // The group expression appears twice in the percentile query (PARTITION BY), so its params too.
    const rows = await db.all(`SELECT ${g.expr} AS grp, ${AGGREGATES} FROM usage_records r ${g.join} ${w.sql} GROUP BY 1 ORDER BY 1`, [...g.params, ...w.params]);
    const pct = await db.all(percentileSql(g.expr, g.join, w.sql), [...g.params, ...g.params, ...g.params, ...w.params]);
    const pctByGroup = new Map(pct.map((p) => [p['grp'] === null ? null : String(p['grp']), p]));
    for (const row of rows) {
      const group = row['grp'] === null || row['grp'] === undefined ? null : String(row['grp']);
      const p = pctByGroup.get(group);
      groups.push({ group, ...totalsOf({ ...row, p50: p?.['p50'] ?? null, p95: p?.['p95'] ?? null }) });
    }
    groups.sort((a, b) => (a.group === null ? 1 : b.group === null ? -1 : a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  }
  return { by: q.by, since: q.since, until: q.until, groups, totals };
}
