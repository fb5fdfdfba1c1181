import type { CompletionOutcome } from '../spec/routing.js';
import type { Usage } from '../spec/usage.js';
import type { Lease } from './dispatch.js';
import type { CompletionRecord } from './lifecycle.js';

/** Small pieces the non-streaming and streaming paths share: what a lease and a usage say, as record fields. */

/**
 * `x-switchyard-overhead-ms`: time to the first byte not spent waiting on upstreams (parsing, hooks,
 * routing, queueing, rendering), so operators can check the latency the gateway adds in production
 * (after LiteLLM's `x-litellm-overhead-duration-ms`). Includes queueing for capacity and retry waits.
 */
export function overheadMs(totalMs: number, upstreamMs: number): string {
  return Math.max(0, totalMs - upstreamMs).toFixed(2);
}

/** What a finished call tells the policy (tokens, and for streams TTFT and TPOT, filled in by the caller). */
export function tokensOf(usage: Usage): Omit<CompletionOutcome, 'ok'> {
  const observed: Omit<CompletionOutcome, 'ok'> = {};
  if (usage.inputTokens !== undefined) observed.promptTokens = usage.inputTokens;
  if (usage.outputTokens !== undefined) observed.outputTokens = usage.outputTokens;
  return observed;
}

export function describeLease(record: CompletionRecord, lease: Lease<unknown>): void {
  const spec = lease.replica.spec;
  record.servedModel = lease.model.name;
  record.pool = spec.pool;
  record.replica = spec.id;
  record.hardware = spec.hardware;
  record.upstreamModel = spec.target.upstreamModel;
  record.attempts = lease.attempts;
}

export function mergeInto(into: Usage, next: Usage): void {
  if (next.inputTokens !== undefined) into.inputTokens = next.inputTokens;
  if (next.cachedInputTokens !== undefined) into.cachedInputTokens = next.cachedInputTokens;
  if (next.cacheWriteTokens !== undefined) into.cacheWriteTokens = next.cacheWriteTokens;
  if (next.outputTokens !== undefined) into.outputTokens = next.outputTokens;
  if (next.reasoningTokens !== undefined) into.reasoningTokens = next.reasoningTokens;
}

