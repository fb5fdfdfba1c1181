import type { JsonSchema } from '../../spec/request.js';
import type { Schema } from './wire-types.js';

/**
 * JSON Schema → Gemini's Schema, "a select subset of an OpenAPI 3.0 schema object" (REST reference,
 * Schema). Gemini rejects unknown keywords, so this copies a whitelist and rewrites the rest:
 *
 * - `type: [T, "null"]` and `anyOf: [X, {type: null}]` become `nullable: true`;
 * - `const` becomes a one-value `enum`; enum values become strings (the field is `string[]`);
 * - `oneOf` becomes `anyOf` (the closest it has); `allOf` is merged into one object schema;
 * - local `$ref`s into `$defs`/`definitions` are inlined (cycles are cut after a few levels);
 * - `additionalProperties`, `$schema`, `$id`, `not`, `patternProperties`, `if/then/else`, exclusive bounds
 *   and other keywords are dropped;
 * - `format` is kept only where the Gemini API accepts it (string: enum, date-time; number: float, double;
 *   integer: int32, int64 — Firebase AI Logic reference, Schema.format).
 */
export function convertSchema(schema: JsonSchema): Schema {
  return convert(schema, schema, 0);
}

const TYPES: Record<string, NonNullable<Schema['type']>> = {
  string: 'STRING',
  number: 'NUMBER',
  integer: 'INTEGER',
  boolean: 'BOOLEAN',
  array: 'ARRAY',
  object: 'OBJECT',
  null: 'NULL',
};

const FORMATS: Partial<Record<NonNullable<Schema['type']>, string[]>> = {
  STRING: ['enum', 'date-time'],
  NUMBER: ['float', 'double'],
  INTEGER: ['int32', 'int64'],
};

const MAX_REF_DEPTH = 8;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function resolveRef(ref: string, root: JsonSchema): Record<string, unknown> | undefined {
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (match === null) return undefined;
  const defs = asRecord(root[match[1] ?? '']);
  return asRecord(defs?.[decodeURIComponent(match[2] ?? '').replace(/~1/g, '/').replace(/~0/g, '~')]);
}

function isNullSchema(value: unknown): boolean {
  return asRecord(value)?.['type'] === 'null';
}

function convert(input: Record<string, unknown>, root: JsonSchema, depth: number): Schema {
  let node = input;
  if (typeof node['$ref'] === 'string') {
    const target = depth < MAX_REF_DEPTH ? resolveRef(node['$ref'], root) : undefined;
    // A reference we cannot (or may no longer) follow becomes an unconstrained value.
    if (target === undefined) return typeof node['description'] === 'string' ? { description: node['description'] } : {};
    node = { ...target, ...Object.fromEntries(Object.entries(node).filter(([k]) => k !== '$ref')) };
    depth += 1;
  }
  if (Array.isArray(node['allOf'])) node = mergeAllOf(node, root, depth);

  const out: Schema = {};
  const rawType = node['type'];
  if (Array.isArray(rawType)) {
    const types = rawType.filter((t): t is string => typeof t === 'string' && t !== 'null');
    if (types.length !== rawType.length) out.nullable = true;
    const mapped = types[0] === undefined ? undefined : TYPES[types[0]];
    if (types.length === 1 && mapped !== undefined) out.type = mapped;
    else if (types.length > 1) out.anyOf = types.flatMap((t) => (TYPES[t] === undefined ? [] : [{ type: TYPES[t] } as Schema]));
  } else if (typeof rawType === 'string' && TYPES[rawType] !== undefined) {
    out.type = TYPES[rawType];
  }

  copyString(node, out, 'title');
  copyString(node, out, 'description');
  copyString(node, out, 'pattern');
  for (const key of ['minItems', 'maxItems', 'minProperties', 'maxProperties', 'minLength', 'maxLength', 'minimum', 'maximum'] as const) {
    if (typeof node[key] === 'number') out[key] = node[key];
  }
  if (node['default'] !== undefined) out.default = node['default'];
  if (Array.isArray(node['examples']) && node['examples'].length > 0) out.example = node['examples'][0];
  if (node['nullable'] === true) out.nullable = true;

  if (node['const'] !== undefined) out.enum = [String(node['const'])];
  else if (Array.isArray(node['enum'])) {
    if (node['enum'].includes(null)) out.nullable = true;
    out.enum = node['enum'].filter((v) => v !== null).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  }
  if (typeof node['format'] === 'string' && out.type !== undefined && FORMATS[out.type]?.includes(node['format'])) {
    out.format = node['format'];
  }
  if (out.enum !== undefined && out.type === 'STRING') out.format = 'enum';

  const properties = asRecord(node['properties']);
  if (properties !== undefined) {
    out.properties = {};
    for (const [name, value] of Object.entries(properties)) {
      const child = asRecord(value);
      out.properties[name] = child === undefined ? {} : convert(child, root, depth);
    }
    if (out.type === undefined) out.type = 'OBJECT';
  }
  if (Array.isArray(node['required'])) {
    const names = node['required'].filter((n): n is string => typeof n === 'string');
    if (names.length > 0) out.required = names;
  }
  const items = Array.isArray(node['items']) ? asRecord(node['items'][0]) : asRecord(node['items']);
  if (items !== undefined) out.items = convert(items, root, depth);

  const alternatives = Array.isArray(node['anyOf']) ? node['anyOf'] : Array.isArray(node['oneOf']) ? node['oneOf'] : undefined;
  if (alternatives !== undefined) {
    const nonNull = alternatives.filter((a) => !isNullSchema(a));
    if (nonNull.length !== alternatives.length) out.nullable = true;
    const converted = nonNull.flatMap((a) => {
      const record = asRecord(a);
      return record === undefined ? [] : [convert(record, root, depth)];
    });
    if (converted.length === 1) Object.assign(out, converted[0], out.nullable === true ? { nullable: true } : {});
    else if (converted.length > 1) out.anyOf = converted;
  }
  return out;
}

function copyString(from: Record<string, unknown>, to: Schema, key: 'title' | 'description' | 'pattern'): void {
  if (typeof from[key] === 'string') to[key] = from[key];
}

/** allOf: properties and required lists are unioned; other keywords of the parts fill in where unset. */
function mergeAllOf(node: Record<string, unknown>, root: JsonSchema, depth: number): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...node };
  delete merged['allOf'];
  const properties: Record<string, unknown> = { ...(asRecord(node['properties']) ?? {}) };
  const required = new Set<string>(Array.isArray(node['required']) ? node['required'].filter((r): r is string => typeof r === 'string') : []);
  for (const part of node['allOf'] as unknown[]) {
    let record = asRecord(part);
    if (record !== undefined && typeof record['$ref'] === 'string' && depth < MAX_REF_DEPTH) record = resolveRef(record['$ref'], root) ?? record;
    if (record === undefined) continue;
    Object.assign(properties, asRecord(record['properties']) ?? {});
    if (Array.isArray(record['required'])) for (const r of record['required']) if (typeof r === 'string') required.add(r);
    for (const [key, value] of Object.entries(record)) {
      if (key !== 'properties' && key !== 'required' && merged[key] === undefined) merged[key] = value;
    }
  }
  if (Object.keys(properties).length > 0) merged['properties'] = properties;
  if (required.size > 0) merged['required'] = [...required];
  return merged;
}
