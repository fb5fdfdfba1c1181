import { GatewayError } from '../errors/index.js';

export const TAGS_HEADER = 'x-switchyard-tags';
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const VALUE = /^[^,=\s][^,=]{0,127}$/;
const MAX_TAGS = 16;

/**
 * Parses `x-switchyard-tags: team=search,env=prod` into `{ team: 'search', env: 'prod' }` for usage
 * reports grouped by tag. A malformed header is the client's error (400 naming the header), not
 * something silently dropped from the bill.
 */
export function parseTags(header: string | undefined): Record<string, string> | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const tags: Record<string, string> = {};
  const parts = header.split(',');
  if (parts.length > MAX_TAGS) throw bad(`at most ${MAX_TAGS} tags`);
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) throw bad(`"${part.trim().slice(0, 64)}" is not name=value`);
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!NAME.test(name)) throw bad('tag names are 1–64 letters, digits, ".", "_" or "-"');
    if (!VALUE.test(value)) throw bad(`tag "${name}" needs a value of 1–128 characters without "," or "="`);
    if (Object.hasOwn(tags, name)) throw bad(`tag "${name}" is given twice`);
    tags[name] = value;
  }
  return tags;
}

function bad(detail: string): GatewayError {
  return new GatewayError('invalid_request', `Invalid ${TAGS_HEADER} header: ${detail}`, { param: TAGS_HEADER });
}

export function isTagName(name: string): boolean {
  return NAME.test(name);
}
