import { pick, randomInt, type Rng } from './rng.js';
import { WORDS } from './vocabulary.js';

/**
 * Generates a value that satisfies a JSON Schema (the subset tool definitions use: type, properties,
 * required, enum, const, items, min/max bounds, string formats, anyOf/oneOf/allOf, local $ref), so an
 * emulated tool call's `arguments` parse and validate against the tool's `parameters`. Deterministic for
 * a given rng. Every declared property is filled (required or not): valid either way, and it exercises
 * the client's parsing of every field.
 */
type Schema = Record<string, unknown>;

const MAX_DEPTH = 8;

export function sampleSchema(schema: unknown, rng: Rng): unknown {
  return sample(schema, rng, isObject(schema) ? schema : {}, 0);
}

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveRef(ref: string, root: Schema): unknown {
  if (!ref.startsWith('#/')) return {};
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    if (!isObject(node)) return {};
    node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node ?? {};
}

function sample(schema: unknown, rng: Rng, root: Schema, depth: number): unknown {
  if (schema === true || !isObject(schema)) return words(rng, 2);
  if (depth > MAX_DEPTH) return null;
  if (typeof schema['$ref'] === 'string') return sample(resolveRef(schema['$ref'], root), rng, root, depth + 1);
  if ('const' in schema) return schema['const'];
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return pick(rng, schema['enum'] as unknown[]);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      // The first non-null branch: enough to satisfy anyOf; for oneOf, tool schemas' branches are disjoint by type.
      const branch = options.find((o) => !(isObject(o) && o['type'] === 'null')) ?? options[0];
      return sample(branch, rng, root, depth + 1);
    }
  }
  if (Array.isArray(schema['allOf'])) return sample(mergeAllOf(schema, schema['allOf']), rng, root, depth + 1);
  const type = schemaType(schema);
  switch (type) {
    case 'object':
      return sampleObject(schema, rng, root, depth);
    case 'array':
      return sampleArray(schema, rng, root, depth);
    case 'string':
      return sampleString(schema, rng);
    case 'integer':
      return sampleNumber(schema, rng, true);
    case 'number':
      return sampleNumber(schema, rng, false);
    case 'boolean':
      return rng() < 0.5;
    case 'null':
      return null;
    default:
      return words(rng, 2);
  }
}

function schemaType(schema: Schema): string | undefined {
  const type = schema['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return (type.find((t) => t !== 'null') ?? type[0]) as string | undefined;
  if (isObject(schema['properties'])) return 'object';
  if (schema['items'] !== undefined) return 'array';
  return undefined;
}

function mergeAllOf(schema: Schema, parts: unknown[]): Schema {
  const merged: Schema = { ...schema, allOf: undefined };
  const properties: Schema = isObject(schema['properties']) ? { ...schema['properties'] } : {};
  const required = new Set<string>(Array.isArray(schema['required']) ? (schema['required'] as string[]) : []);
  for (const part of parts) {
    if (!isObject(part)) continue;
    Object.assign(merged, part);
    if (isObject(part['properties'])) Object.assign(properties, part['properties']);
    if (Array.isArray(part['required'])) for (const r of part['required'] as string[]) required.add(r);
  }
  delete merged['allOf'];
  if (Object.keys(properties).length > 0) merged['properties'] = properties;
  if (required.size > 0) merged['required'] = [...required];
  return merged;
}

function sampleObject(schema: Schema, rng: Rng, root: Schema, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const properties = isObject(schema['properties']) ? schema['properties'] : {};
  for (const [name, sub] of Object.entries(properties)) out[name] = sample(sub, rng, root, depth + 1);
  // Required names without a property schema still need a value.
  if (Array.isArray(schema['required'])) {
    for (const name of schema['required']) {
      if (typeof name === 'string' && !(name in out)) {
        const extra = schema['additionalProperties'];
        out[name] = sample(isObject(extra) ? extra : {}, rng, root, depth + 1);
      }
    }
  }
  return out;
}

function sampleArray(schema: Schema, rng: Rng, root: Schema, depth: number): unknown[] {
  const min = typeof schema['minItems'] === 'number' ? schema['minItems'] : 1;
  const max = typeof schema['maxItems'] === 'number' ? schema['maxItems'] : Math.max(min, 3);
  const count = Math.min(max, Math.max(min, randomInt(rng, min, Math.min(max, min + 2))));
  const prefix = Array.isArray(schema['prefixItems']) ? (schema['prefixItems'] as unknown[]) : [];
  const items = schema['items'];
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (let i = 0, attempts = 0; out.length < count && attempts < count * 8; attempts++) {
    const value = sample(i < prefix.length ? prefix[i] : (items ?? {}), rng, root, depth + 1);
    if (schema['uniqueItems'] === true) {
      const key = JSON.stringify(value);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    out.push(value);
    i++;
  }
  return out;
}

function sampleString(schema: Schema, rng: Rng): string {
  const format = schema['format'];
  let value: string;
  const day = randomInt(rng, 1, 28);
  const month = randomInt(rng, 1, 12);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (format === 'date-time') value = `2026-${pad(month)}-${pad(day)}T${pad(randomInt(rng, 0, 23))}:00:00Z`;
  else if (format === 'date') value = `2026-${pad(month)}-${pad(day)}`;
  else if (format === 'time') value = `${pad(randomInt(rng, 0, 23))}:${pad(randomInt(rng, 0, 59))}:00`;
  else if (format === 'email') value = `${pick(rng, WORDS)}@example.com`;
  else if (format === 'uri' || format === 'url') value = `https://example.com/${pick(rng, WORDS)}`;
  else if (format === 'uuid') value = uuid(rng);
  else value = words(rng, randomInt(rng, 1, 3));
  const min = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
  const max = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : Infinity;
  while (value.length < min) value += ` ${pick(rng, WORDS)}`;
  if (value.length > max) value = value.slice(0, max).trimEnd().padEnd(Math.min(min, max), 'x');
  return value;
}

function sampleNumber(schema: Schema, rng: Rng, integer: boolean): number {
  const num = (key: string): number | undefined => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined);
  const exMin = num('exclusiveMinimum');
  const exMax = num('exclusiveMaximum');
  let lo = num('minimum') ?? (exMin !== undefined ? exMin + (integer ? 1 : 1e-6) : 0);
  let hi = num('maximum') ?? (exMax !== undefined ? exMax - (integer ? 1 : 1e-6) : lo + 100);
  if (exMin !== undefined) lo = Math.max(lo, exMin + (integer ? 1 : 1e-6));
  if (exMax !== undefined) hi = Math.min(hi, exMax - (integer ? 1 : 1e-6));
  if (integer) {
    lo = Math.ceil(lo);
    hi = Math.floor(hi);
  }
  if (hi < lo) hi = lo;
  const step = num('multipleOf');
  if (step !== undefined && step > 0) {
    const first = Math.ceil(lo / step);
    const last = Math.max(first, Math.floor(hi / step));
    return randomInt(rng, first, last) * step;
  }
  if (integer) return randomInt(rng, lo, hi);
  const value = Math.round((lo + rng() * (hi - lo)) * 100) / 100;
  return value < lo || value > hi ? lo : value;
}

function words(rng: Rng, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(pick(rng, WORDS));
  return out.join(' ');
}

function uuid(rng: Rng): string {
  const hex = (n: number): string =>
    Array.from({ length: n }, () => Math.floor(rng() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}
