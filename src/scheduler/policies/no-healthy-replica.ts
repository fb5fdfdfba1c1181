import type { Decision } from '../../spec/routing.js';

/** The answer every policy gives when no candidate replica is healthy: reject, come back in a second. */
export function noHealthyReplica(): Decision {
  return { kind: 'reject', reason: 'no healthy replica serves this model', retryAfterMs: 1000 };
}
