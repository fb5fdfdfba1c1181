import { booleanFlag, formatHelp, parseArgs, stringFlag, UsageError, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { GatewayError } from '../../errors/index.js';
import type { UsageGroup, UsageReport, UsageTotals } from '../../ledger/query.js';
import { queryUsage } from '../../ledger/query.js';
import { usageQuery } from '../../tenancy/admin.js';
import { openFromFlags } from './keys.js';

const FLAGS: FlagSpecs = {
  tenant: { type: 'string', description: 'only this tenant' },
  key: { type: 'string', description: 'only this key id' },
  since: { type: 'string', description: 'from: 90m, 24h, 7d, 2w, an ISO date, or all', default: '7d' },
  until: { type: 'string', description: 'to (exclusive), same forms as --since' },
  by: { type: 'string', description: 'group by model, served-model, pool, hardware, tenant, key, day, status, tag or tag:NAME' },
  json: { type: 'boolean', description: 'print JSON' },
  csv: { type: 'boolean', description: 'print CSV' },
  help: { type: 'boolean', description: 'show this help' },
  config: { type: 'string', description: "the gateway's YAML config: use its tenancy database" },
  db: { type: 'string', description: 'SQLite file', default: '.switchyard/switchyard.db' },
  postgres: { type: 'string', description: 'PostgreSQL URL (instead of SQLite)' },
};

const COLUMNS: Array<[string, (t: UsageTotals) => number | null, number]> = [
  ['requests', (t) => t.requests, 0],
  ['errors', (t) => t.errors, 0],
  ['unknown_usage', (t) => t.unknownUsage, 0],
  ['input_tokens', (t) => t.inputTokens, 0],
  ['cached_tokens', (t) => t.cachedInputTokens, 0],
  ['cache_write_tokens', (t) => t.cacheWriteTokens, 0],
  ['output_tokens', (t) => t.outputTokens, 0],
  ['reasoning_tokens', (t) => t.reasoningTokens, 0],
  ['cost_usd', (t) => t.costUsd, 6],
  ['unknown_cost', (t) => t.unknownCost, 0],
  ['energy_j', (t) => t.energyJ, 1],
  ['mean_ttft_ms', (t) => t.meanTtftMs, 1],
  ['mean_latency_ms', (t) => t.meanLatencyMs, 1],
  ['p50_latency_ms', (t) => t.p50LatencyMs, 1],
  ['p95_latency_ms', (t) => t.p95LatencyMs, 1],
];

function rowsOf(report: UsageReport): Array<{ label: string; t: UsageTotals }> {
  const rows: Array<{ label: string; t: UsageTotals }> = report.groups.map((g: UsageGroup) => ({ label: g.group ?? '(none)', t: g }));
  rows.push({ label: 'TOTAL', t: report.totals });
  return rows;
}

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV: unknown is an empty cell, never 0. */
export function toCsv(report: UsageReport): string {
  const lines = [[report.by ?? 'group', ...COLUMNS.map(([name]) => name)].join(',')];
  for (const { label, t } of rowsOf(report)) lines.push([csvCell(label), ...COLUMNS.map(([, get]) => String(get(t) ?? ''))].join(','));
  return lines.join('\n');
}

/** A table for terminals: unknown shows as "-", never 0. */
export function toTable(report: UsageReport): string {
  const header = [(report.by ?? '').toUpperCase() || 'ALL', ...COLUMNS.map(([name]) => name.replace(/_/g, ' '))];
  const rows = [header];
  for (const { label, t } of rowsOf(report)) {
    rows.push([label, ...COLUMNS.map(([, get, digits]) => {
      const v = get(t);
      return v === null ? '-' : digits === 0 ? String(Math.round(v)) : v.toFixed(digits);
    })]);
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')).join('\n');
}

async function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (booleanFlag(args, 'help')) {
    console.log(formatHelp('switchyard usage [--tenant T] [--since 7d] [--by model|pool|tenant|day|tag] [--json|--csv]', FLAGS));
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  if (booleanFlag(args, 'json') && booleanFlag(args, 'csv')) throw new UsageError('give --json or --csv, not both');
  const query: Record<string, string | undefined> = {};
  for (const name of ['tenant', 'key', 'since', 'until', 'by']) query[name] = stringFlag(args, name);
  let q;
  try {
    q = usageQuery(query, Date.now());
  } catch (e) {
    if (GatewayError.isInstance(e)) throw new UsageError(`--${e.param ?? 'since'}: ${e.message}`);
    throw e;
  }
  const db = await openFromFlags(args);
  if (db === undefined) return 1;
  try {
    const report = await queryUsage(db, q);
    if (booleanFlag(args, 'json')) console.log(JSON.stringify(report, null, 2));
    else if (booleanFlag(args, 'csv')) console.log(toCsv(report));
    else console.log(toTable(report));
    return 0;
  } finally {
    await db.close();
  }
}

const command: Command = { name: 'usage', summary: 'usage, cost and energy from the ledger', run };
export default command;
