import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';
import { InterpolationError, interpolateEnv } from './interpolate.js';

/** A config that cannot be used; `problems` name the path of each bad field (`models[1].fallbacks[0]: …`). */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid config ${source}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export interface ParseConfigOptions {
  env?: Record<string, string | undefined>;
  /** Shown in errors: the file name. */
  source?: string;
  /** Provider ids the build knows (src/providers/registry.ts); unknown ones are reported by path. */
  providers?: readonly string[];
  /** Routing policy names (src/scheduler/registry.ts). */
  policies?: readonly string[];
  /** Vendor names the openai-compatible adapter knows (src/providers/openai-compatible/vendors.ts). */
  vendors?: readonly string[];
}

/** `['models', 1, 'fallbacks', 0]` → `models[1].fallbacks[0]` */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out || '(root)';
}

export function loadConfigFile(file: string, options: Omit<ParseConfigOptions, 'source'> = {}): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read file: ${(error as Error).message}`]);
  }
  return parseConfig(text, { ...options, source: file });
}

export function parseConfig(text: string, options: ParseConfigOptions = {}): Config {
  const source = options.source ?? 'config';
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(source, document.errors.map((error) => `YAML: ${error.message.split('\n')[0] ?? ''}`));
  }
  let raw: unknown;
  try {
    raw = interpolateEnv(document.toJS(), options.env ?? process.env);
  } catch (error) {
    if (error instanceof InterpolationError) throw new ConfigError(source, [error.message]);
    throw error;
  }
  return validateConfig(raw, { ...options, source });
}

/** Validates an already-parsed object (tests and `--upstream` build configs in code). */
export function validateConfig(raw: unknown, options: ParseConfigOptions = {}): Config {
  const source = options.source ?? 'config';
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(source, parsed.error.issues.map(describeIssue));
  const problems = crossCheck(parsed.data, options);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return parsed.data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return `${formatPath(issue.path)}: ${issue.message}`;
}

/** What the schema cannot see: names that must refer to each other, and names that must be unique. */
function crossCheck(config: Config, options: ParseConfigOptions): string[] {
  const problems: string[] = [];
  const backends = new Set<string>();
  const replicaIds = new Set<string>();
  config.backends.forEach((backend, i) => {
    if (backends.has(backend.name)) problems.push(`backends[${i}].name: duplicate backend "${backend.name}"`);
    backends.add(backend.name);
    if (backend.vendor !== undefined && backend.provider === 'openai-compatible' && options.vendors !== undefined && !options.vendors.includes(backend.vendor)) {
      problems.push(`backends[${i}].vendor: unknown vendor "${backend.vendor}"; known: ${options.vendors.join(', ')}`);
    }
    if (options.providers !== undefined && !options.providers.includes(backend.provider)) {
      problems.push(`backends[${i}].provider: unknown provider "${backend.provider}"; known: ${options.providers.join(', ')}`);
    }
    backend.replicas.forEach((replica, j) => {
      if (typeof replica === 'string' || replica.id === undefined) return;
      if (replicaIds.has(replica.id)) problems.push(`backends[${i}].replicas[${j}].id: duplicate replica id "${replica.id}"`);
      replicaIds.add(replica.id);
    });
  });
  const names = new Map<string, string>();
  config.models.forEach((model, i) => {
    for (const [key, name] of [['name', model.name] as const, ...model.aliases.map((a, j) => [`aliases[${j}]`, a] as const)]) {
      const previous = names.get(name);
      if (previous !== undefined) problems.push(`models[${i}].${key}: "${name}" is already used by ${previous}`);
      else names.set(name, `models[${i}]`);
    }
  });
  config.models.forEach((model, i) => {
    model.backends.forEach((backend, j) => {
      if (!backends.has(backend)) problems.push(`models[${i}].backends[${j}]: unknown backend "${backend}"`);
    });
    model.fallbacks.forEach((fallback, j) => {
      if (!names.has(fallback)) problems.push(`models[${i}].fallbacks[${j}]: unknown model "${fallback}"`);
      else if (fallback === model.name || model.aliases.includes(fallback)) {
        problems.push(`models[${i}].fallbacks[${j}]: a model cannot fall back to itself`);
      }
    });
  });
  if (options.policies !== undefined && !options.policies.includes(config.routing.policy)) {
    problems.push(`routing.policy: unknown policy "${config.routing.policy}"; known: ${options.policies.join(', ')}`);
  }
  return problems;
}
