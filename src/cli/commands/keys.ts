import { booleanFlag, formatHelp, numberFlag, parseArgs, stringFlag, UsageError, type FlagSpecs, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { GatewayError } from '../../errors/index.js';
import { ConfigError, loadConfigFile } from '../../config/load.js';
import { openDb } from '../../ledger/db/open-db.js';
import { tenancyOptions } from '../../server/tenancy-hooks.js';
import type { SqlDb } from '../../ledger/db/sql-db.js';
import { parseExpiry } from '../../ledger/since.js';
import { keyJson } from '../../tenancy/admin-views.js';
import { SqlKeyStore } from '../../tenancy/key-store.js';
import { createKey } from '../../tenancy/keys.js';
import type { BudgetPeriod, KeyLimits, NewKeyOptions } from '../../tenancy/types.js';

export const DB_FLAGS: FlagSpecs = {
  config: { type: 'string', description: "the gateway's YAML config: use its tenancy database" },
  db: { type: 'string', description: 'SQLite file', default: '.switchyard/switchyard.db' },
  postgres: { type: 'string', description: 'PostgreSQL URL (instead of SQLite), e.g. postgres://user@host/db' },
};

const CREATE_FLAGS: FlagSpecs = {
  tenant: { type: 'string', description: 'tenant the key belongs to (created if new)' },
  name: { type: 'string', description: 'a label for the key' },
  rpm: { type: 'string', description: 'requests per minute' },
  tpm: { type: 'string', description: 'tokens per minute (prompt + max_tokens reserved)' },
  'max-concurrent': { type: 'string', description: 'requests in flight at once' },
  'budget-usd': { type: 'string', description: 'dollars per period (needs --period)' },
  period: { type: 'string', description: 'budget period: day or month (UTC)' },
  models: { type: 'string', description: 'allowed models, comma-separated; `prefix*` matches by prefix' },
  expires: { type: 'string', description: 'expiry: a span like 30d, or an ISO date' },
  json: { type: 'boolean', description: 'print the key and its record as JSON' },
  help: { type: 'boolean', description: 'show this help' },
  ...DB_FLAGS,
};
const LIST_FLAGS: FlagSpecs = {
  tenant: { type: 'string', description: 'only this tenant' },
  json: { type: 'boolean', description: 'JSON instead of a table' },
  help: { type: 'boolean', description: 'show this help' },
  ...DB_FLAGS,
};
const REVOKE_FLAGS: FlagSpecs = { help: { type: 'boolean', description: 'show this help' }, ...DB_FLAGS };

const USAGE = [
  'switchyard keys create --tenant T [--rpm N] [--tpm N] [--max-concurrent N] [--budget-usd X --period day|month] [--models a,b] [--expires 30d|ISO]',
  'switchyard keys list [--tenant T] [--json]',
  'switchyard keys revoke ID',
].join('\n       ');

/**
 * Opens the database the flags name: `--postgres`, else `--db`, else the `tenancy` block of `--config`,
 * else the default SQLite file. A failure to open is reported in one line (never the URL's password).
 */
export async function openFromFlags(args: ParsedArgs): Promise<SqlDb | undefined> {
  let postgres = stringFlag(args, 'postgres');
  let db = stringFlag(args, 'db');
  if (postgres !== undefined && db !== undefined) throw new UsageError('give --db or --postgres, not both');
  const configFile = stringFlag(args, 'config');
  if (configFile !== undefined && postgres === undefined && db === undefined) {
    let config;
    try {
      // Only the tenancy block matters here; provider and policy names are `serve`'s to check.
      config = loadConfigFile(configFile);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
    const options = tenancyOptions(config);
    postgres = options.postgres;
    db = options.sqlitePath;
  }
  try {
    return await openDb({ ...(postgres === undefined ? {} : { postgres }), ...(db === undefined ? {} : { sqlitePath: db }) });
  } catch (error) {
    const where = postgres === undefined ? (db ?? '.switchyard/switchyard.db') : 'PostgreSQL';
    console.error(`switchyard: cannot open the database (${where}): ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

function createOptions(args: ParsedArgs, now: number): NewKeyOptions {
  const tenant = stringFlag(args, 'tenant');
  if (tenant === undefined) throw new UsageError('keys create needs --tenant');
  const limits: KeyLimits = {};
  const rpm = numberFlag(args, 'rpm', { min: 1, integer: true });
  const tpm = numberFlag(args, 'tpm', { min: 1, integer: true });
  const conc = numberFlag(args, 'max-concurrent', { min: 1, integer: true });
  const budget = numberFlag(args, 'budget-usd', { min: 0 });
  const period = stringFlag(args, 'period');
  if (rpm !== undefined) limits.rpm = rpm;
  if (tpm !== undefined) limits.tpm = tpm;
  if (conc !== undefined) limits.maxConcurrent = conc;
  if (budget !== undefined) limits.budgetUsd = budget;
  if (period !== undefined) {
    if (period !== 'day' && period !== 'month') throw new UsageError(`--period must be day or month, got "${period}"`);
    limits.budgetPeriod = period satisfies BudgetPeriod;
  }
  if ((budget === undefined) !== (period === undefined)) throw new UsageError('--budget-usd and --period go together');
  const options: NewKeyOptions = { tenant, limits };
  const name = stringFlag(args, 'name');
  if (name !== undefined) options.name = name;
  const models = stringFlag(args, 'models');
  if (models !== undefined) options.allowedModels = models.split(',').map((m) => m.trim()).filter((m) => m !== '');
  const expires = stringFlag(args, 'expires');
  if (expires !== undefined) {
    try {
      options.expiresAt = parseExpiry(expires, now);
    } catch (e) {
      throw new UsageError(`--expires: ${(e as Error).message}`);
    }
  }
  return options;
}

/** Rows as left-aligned columns (the first row is the header). */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

async function run(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    console.log(`usage: ${USAGE}`);
    return sub === undefined ? 2 : 0;
  }
  const specs = sub === 'create' ? CREATE_FLAGS : sub === 'list' ? LIST_FLAGS : sub === 'revoke' ? REVOKE_FLAGS : undefined;
  if (specs === undefined) throw new UsageError(`unknown keys subcommand "${sub}" (create, list, revoke)`);
  const args = parseArgs(rest, specs);
  if (booleanFlag(args, 'help')) {
    console.log(formatHelp(`switchyard keys ${sub} …`, specs));
    return 0;
  }
  const now = Date.now();
  if (sub === 'create' && args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const options = sub === 'create' ? createOptions(args, now) : undefined;
  if (sub === 'revoke' && args.positionals.length !== 1) throw new UsageError('keys revoke needs exactly one key id');
  const db = await openFromFlags(args);
  if (db === undefined) return 1;
  try {
    const store = new SqlKeyStore(db);
    if (options !== undefined) {
      const created = await createKey(store, options, now);
      if (booleanFlag(args, 'json')) console.log(JSON.stringify({ key: created.key, ...keyJson(created.record, now) }, null, 2));
      else {
        // The key alone on stdout (so `KEY=$(switchyard keys create …)` works); the note on stderr.
        console.log(created.key);
        console.error(`created key ${created.record.id} for tenant ${created.record.tenantName}; it is shown only this once, store it now`);
      }
      return 0;
    }
    if (sub === 'list') {
      const tenant = stringFlag(args, 'tenant');
      const keys = await store.listKeys(tenant === undefined ? {} : { tenant });
      const views = keys.map((k) => keyJson(k, now));
      if (booleanFlag(args, 'json')) {
        console.log(JSON.stringify(views, null, 2));
        return 0;
      }
      const dash = (v: unknown): string => (v === null || v === undefined ? '-' : String(v));
      const rows = [['ID', 'TENANT', 'NAME', 'STATUS', 'RPM', 'TPM', 'CONC', 'BUDGET', 'MODELS', 'EXPIRES', 'CREATED']];
      for (const k of keys) {
        const l = k.limits;
        rows.push([
          k.id, k.tenantName, dash(k.name), keyJson(k, now)['status'] as string, dash(l.rpm), dash(l.tpm), dash(l.maxConcurrent),
          l.budgetUsd === undefined ? '-' : `$${l.budgetUsd}/${l.budgetPeriod}`, k.allowedModels?.join(',') ?? '*',
          k.expiresAt === undefined ? '-' : new Date(k.expiresAt).toISOString().slice(0, 16) + 'Z', new Date(k.createdAt).toISOString().slice(0, 10),
        ]);
      }
      console.log(keys.length === 0 ? 'no keys' : table(rows));
      return 0;
    }
    const id = args.positionals[0] as string;
    if (!(await store.revokeKey(id, now))) {
      console.error(`switchyard: no key with id "${id.slice(0, 32)}"`);
      return 1;
    }
    console.log(`revoked ${id} (gateways stop accepting it within their key cache TTL, 5 s by default)`);
    return 0;
  } catch (error) {
    if (GatewayError.isInstance(error)) throw new UsageError(error.param === undefined ? error.message : `${error.message} (${error.param})`);
    throw error;
  } finally {
    await db.close();
  }
}

const command: Command = { name: 'keys', summary: 'create, list and revoke API keys', run };
export default command;
