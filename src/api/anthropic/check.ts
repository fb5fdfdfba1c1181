import { GatewayError } from '../../errors/gateway-error.js';

/**
 * Validation helpers for the Anthropic surface. Paths are written the way Anthropic's own 400s name fields
 * (`messages.1.content.0.type: …`), so a client sees the same kind of message from us as from the API.
 */
export type Json = Record<string, unknown>;

export function invalid(path: string, problem: string): GatewayError {
  return new GatewayError('invalid_request', path === '' ? problem : `${path}: ${problem}`, { param: path });
}

export function unsupported(path: string, problem: string): GatewayError {
  return new GatewayError('unsupported_feature', `${path}: ${problem}`, { param: path });
}

export function join(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value}`;
}

/** The error for a value of the wrong type; a missing one is "field required", as Anthropic says it. */
function wrongType(value: unknown, path: string, expected: string): GatewayError {
  if (value === undefined) return invalid(path, 'field required');
  return invalid(path, `expected ${expected}, got ${kindOf(value)}`);
}

export function object(value: unknown, path: string): Json {
  if (!isObject(value)) throw wrongType(value, path, 'an object');
  return value;
}

export function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw wrongType(value, path, 'an array');
  // A dense copy: a sparse array (never from JSON, but possible from a caller) would let map() skip holes.
  return Array.from(value);
}

export function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw wrongType(value, path, 'a string');
  return value;
}

export function nonEmptyString(value: unknown, path: string): string {
  const text = string(value, path);
  if (text.length === 0) throw invalid(path, 'must not be empty');
  return text;
}

export function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw wrongType(value, path, 'a boolean');
  return value;
}

export function number(value: unknown, path: string, min?: number, max?: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw wrongType(value, path, 'a number');
  }
  if (min !== undefined && value < min) throw invalid(path, `must be at least ${min}, got ${value}`);
  if (max !== undefined && value > max) throw invalid(path, `must be at most ${max}, got ${value}`);
  return value;
}

export function integer(value: unknown, path: string, min?: number): number {
  const n = number(value, path, min);
  if (!Number.isInteger(n)) throw invalid(path, `expected an integer, got ${n}`);
  return n;
}

/** Optional field: absent or null means "not given" (Anthropic's schema marks most optionals nullable). */
export function optional<T>(obj: Json, key: string, path: string, read: (value: unknown, path: string) => T): T | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  return read(value, join(path, key));
}

export function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  const text = string(value, path);
  if (!(allowed as readonly string[]).includes(text)) {
    throw invalid(path, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got "${text}"`);
  }
  return text as T;
}
