import { GatewayError } from '../../errors/gateway-error.js';

/**
 * Field readers for hand-written request validation: each names the offending field in the client's own
 * path syntax (`messages[2].content[0].image_url.url`). Hand-written rather than a schema library on the
 * hot path: one pass over the body, no intermediate copies.
 */
export type Json = Record<string, unknown>;

export function invalid(param: string, message: string): GatewayError {
  return new GatewayError('invalid_request', `${param}: ${message}`, { param });
}

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function requireString(value: unknown, param: string): string {
  if (typeof value !== 'string') throw invalid(param, `expected a string, got ${describe(value)}`);
  return value;
}

export function optionalString(value: unknown, param: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return requireString(value, param);
}

export function optionalNumber(value: unknown, param: string, min?: number, max?: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(param, `expected a number, got ${describe(value)}`);
  if (min !== undefined && value < min) throw invalid(param, `must be at least ${min}, got ${value}`);
  if (max !== undefined && value > max) throw invalid(param, `must be at most ${max}, got ${value}`);
  return value;
}

export function optionalInteger(value: unknown, param: string, min?: number): number | undefined {
  const number = optionalNumber(value, param, min);
  if (number !== undefined && !Number.isInteger(number)) throw invalid(param, `expected an integer, got ${number}`);
  return number;
}

export function optionalBoolean(value: unknown, param: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(param, `expected a boolean, got ${describe(value)}`);
  return value;
}

export function requireArray(value: unknown, param: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(param, `expected an array, got ${describe(value)}`);
  return value;
}

export function requireObject(value: unknown, param: string): Json {
  if (!isObject(value)) throw invalid(param, `expected an object, got ${describe(value)}`);
  return value;
}

/** `stop`: a string or up to `max` strings. */
export function optionalStop(value: unknown, param: string, max = 16): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  const list = requireArray(value, param);
  if (list.length > max) throw invalid(param, `at most ${max} stop sequences`);
  return list.map((item, i) => requireString(item, `${param}[${i}]`));
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
