import { booleanFlag, formatHelp, parseArgs, stringFlag, UsageError, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { periodOf } from '../../tenancy/limits/period.js';
import { tenantSpentSince } from '../../ledger/usage-store.js';
import { SqlKeyStore } from '../../tenancy/key-store.js';
import type { TenantBudget } from '../../tenancy/types.js';
import { DB_FLAGS, openFromFlags, table } from './keys.js';

const LIST_FLAGS: FlagSpecs = {
  json: { type: 'boolean', description: 'JSON instead of a table' },
  help: { type: 'boolean', description: 'show this help' },
  ...DB_FLAGS,
};
const BUDGET_FLAGS: FlagSpecs = {
  'budget-usd': { type: 'string', description: 'dollars per period for all the tenant\'s keys together (needs --period)' },
  period: { type: 'string', description: 'budget period: day or month (UTC)' },
  clear: { type: 'boolean', description: 'remove the tenant\'s budget' },
  help: { type: 'boolean', description: 'show this help' },
  ...DB_FLAGS,
};

const USAGE = [
  'switchyard tenants list [--json]',
  'switchyard tenants budget NAME --budget-usd X --period day|month',
  'switchyard tenants budget NAME --clear',
].join('\n       ');

/** `switchyard tenants`: list tenants with their budgets and this period's spend; set or clear a budget. */
async function run(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    console.log(`usage: ${USAGE}`);
    return sub === undefined ? 2 : 0;
  }
  const specs = sub === 'list' ? LIST_FLAGS : sub === 'budget' ? BUDGET_FLAGS : undefined;
  if (specs === undefined) throw new UsageError(`unknown tenants subcommand "${sub}" (list, budget)`);
  const args = parseArgs(rest, specs);
  if (booleanFlag(args, 'help')) {
    console.log(formatHelp(`switchyard tenants ${sub} …`, specs));
    return 0;
  }
  const budget = sub === 'budget' ? budgetFromFlags(args) : undefined;
  if (sub === 'budget' && args.positionals.length !== 1) throw new UsageError('tenants budget needs exactly one tenant name');
  if (sub === 'list' && args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const db = await openFromFlags(args);
  if (db === undefined) return 1;
  try {
    const store = new SqlKeyStore(db);
    if (sub === 'budget') {
      const name = args.positionals[0] as string;
      const tenant = await store.setTenantBudget(name, budget === 'clear' ? undefined : budget);
      if (tenant === undefined) {
        console.error(`switchyard: no tenant named "${name.slice(0, 64)}" (keys create --tenant creates one)`);
        return 1;
      }
      console.log(
        tenant.budget === undefined
          ? `tenant ${tenant.name} has no budget of its own now`
          : `tenant ${tenant.name}: $${tenant.budget.usd} per ${tenant.budget.period} for all its keys together (gateways apply it within their key cache TTL, 5 s by default)`,
      );
      return 0;
    }
    const now = Date.now();
    const [tenants, keys] = await Promise.all([store.listTenants(), store.listKeys()]);
    const views = await Promise.all(
      tenants.map(async (t) => {
        const view: Record<string, unknown> = { name: t.name, keys: keys.filter((k) => k.tenantId === t.id).length, budget_usd: t.budget?.usd ?? null, budget_period: t.budget?.period ?? null };
        if (t.budget !== undefined) view['spent_usd'] = await tenantSpentSince(db, t.name, periodOf(now, t.budget.period).startMs);
        return view;
      }),
    );
    if (booleanFlag(args, 'json')) {
      console.log(JSON.stringify(views, null, 2));
      return 0;
    }
    const rows = [['TENANT', 'KEYS', 'BUDGET', 'SPENT THIS PERIOD']];
    for (const v of views) {
      const hasBudget = v['budget_usd'] !== null;
      rows.push([String(v['name']), String(v['keys']), hasBudget ? `$${String(v['budget_usd'])}/${String(v['budget_period'])}` : '-', hasBudget ? `$${Number(v['spent_usd']).toFixed(4)}` : '-']);
    }
    console.log(views.length === 0 ? 'no tenants' : table(rows));
    return 0;
  } finally {
    await db.close();
  }
}

function budgetFromFlags(args: ReturnType<typeof parseArgs>): TenantBudget | 'clear' {
  const usd = stringFlag(args, 'budget-usd');
  const period = stringFlag(args, 'period');
  if (booleanFlag(args, 'clear')) {
    if (usd !== undefined || period !== undefined) throw new UsageError('give --clear, or --budget-usd with --period, not both');
    return 'clear';
  }
  const amount = usd === undefined ? NaN : Number(usd);
  if (!Number.isFinite(amount) || amount < 0) throw new UsageError('--budget-usd needs a non-negative number of dollars (or --clear)');
  if (period !== 'day' && period !== 'month') throw new UsageError('--period must be day or month');
  return { usd: amount, period };
}

const command: Command = { name: 'tenants', summary: 'list tenants, set the budget shared by their keys', run };
export default command;
