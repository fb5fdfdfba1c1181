import { z } from 'zod';

/**
 * Per-backend settings for reading a self-hosted replica's live state (src/fleet: /metrics scraping, KV
 * events, active health checks). `enabled` defaults to "the backend is self-hosted" (its `hardware` is
 * not `external`); provider APIs have none of these endpoints. A `url` is either a path, resolved against
 * each replica's server root (its base URL without a trailing `/v1`), or an absolute URL, which only a
 * one-replica backend may use.
 */
const endpointUrl = z
  .string()
  .min(1)
  .refine((value) => value.startsWith('/') || URL.canParse(value), 'a path starting with "/" or an absolute URL');

export const metricsSchema = z
  .strictObject({
    enabled: z.boolean().optional(),
    url: endpointUrl.default('/metrics'),
    /** Start-to-start time between scrapes of one replica, ms (llm-d refreshes every 50 ms). */
    intervalMs: z.number().int().min(10).default(100),
    /** Engine numbers older than this are dropped for the gateway's own accounting, ms (llm-d: 2 s). */
    staleAfterMs: z.number().int().positive().default(2_000),
    /** A scrape slower than this is abandoned, ms. */
    timeoutMs: z.number().int().positive().default(1_000),
  })
  .refine((m) => m.staleAfterMs > m.intervalMs, { message: 'staleAfterMs must be longer than intervalMs', path: ['staleAfterMs'] })
  .prefault({});

export const kvEventsSchema = z
  .strictObject({
    enabled: z.boolean().optional(),
    /** A server-sent-event stream of KV event batches (the emulator's `/kv-events`). */
    url: endpointUrl.default('/kv-events'),
  })
  .prefault({});

export const healthCheckSchema = z
  .strictObject({
    enabled: z.boolean().optional(),
    path: endpointUrl.default('/health'),
    intervalMs: z.number().int().min(10).default(5_000),
    timeoutMs: z.number().int().positive().default(2_000),
    /** Consecutive failed checks that take a replica out of routing. */
    unhealthyThreshold: z.number().int().min(1).default(2),
    /** Consecutive passed checks that put it back. */
    healthyThreshold: z.number().int().min(1).default(1),
  })
  .prefault({});

/** Absolute endpoint URLs cannot be shared by several replicas. */
export function checkLiveUrls(
  backend: { replicas: readonly unknown[]; metrics: { url: string }; kvEvents: { url: string }; health: { path: string } },
  ctx: z.RefinementCtx,
): void {
  if (backend.replicas.length < 2) return;
  const fields: Array<[string, string, string]> = [
    ['metrics', 'url', backend.metrics.url],
    ['kvEvents', 'url', backend.kvEvents.url],
    ['health', 'path', backend.health.path],
  ];
  for (const [section, field, value] of fields) {
    if (!value.startsWith('/')) {
      ctx.addIssue({ code: 'custom', path: [section, field], message: 'an absolute URL cannot serve several replicas; give a path (resolved against each replica)' });
    }
  }
}
