/**
 * A small, strict argument parser shared by every subcommand: `--name value`, `--name=value`, boolean
 * `--flag`, and positionals. Unknown flags are an error, so a typo never silently changes behaviour.
 */
export interface FlagSpec {
  /** `string` takes a value; `boolean` takes none; `list` may repeat and collects values. */
  type: 'string' | 'boolean' | 'list';
  description: string;
  /** Shown in help; not applied (callers apply their own defaults). */
  default?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface ParsedArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: readonly string[], specs: FlagSpecs): ParsedArgs {
  const flags: ParsedArgs['flags'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const spec = specs[name];
    if (spec === undefined) throw new UsageError(`unknown option --${name}`);
    if (spec.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (spec.type === 'list') {
      const list = (flags[name] as string[] | undefined) ?? [];
      list.push(value);
      flags[name] = list;
    } else flags[name] = value;
  }
  return { flags, positionals };
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === 'string' ? value : undefined;
}

export function numberFlag(args: ParsedArgs, name: string, options: { min?: number; integer?: boolean } = {}): number | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  if (options.integer === true && !Number.isInteger(value)) throw new UsageError(`--${name} must be an integer, got "${raw}"`);
  if (options.min !== undefined && value < options.min) throw new UsageError(`--${name} must be at least ${options.min}, got ${raw}`);
  return value;
}

export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

export function formatHelp(usage: string, specs: FlagSpecs): string {
  const lines = [`usage: ${usage}`, ''];
  for (const [name, spec] of Object.entries(specs)) {
    const left = spec.type === 'boolean' ? `--${name}` : `--${name} <value>`;
    const def = spec.default === undefined ? '' : ` (default ${spec.default})`;
    lines.push(`  ${left.padEnd(28)} ${spec.description}${def}`);
  }
  return lines.join('\n');
}
