import { randomBytes } from 'node:crypto';

// A per-process random prefix plus a counter: unique across gateway processes, and no crypto call or
// UUID formatting per request on the hot path.
const PREFIX = `req_${randomBytes(6).toString('hex')}`;
let counter = 0;

const VALID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's `x-request-id` when it is a sane token (kept for end-to-end tracing), else a fresh one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  if (typeof header === 'string' && VALID.test(header)) return header;
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${PREFIX}${counter.toString(36)}`;
}
