import { z } from 'zod';
import { checkLiveUrls, healthCheckSchema, kvEventsSchema, metricsSchema } from './live-schema.js';

/**
 * The YAML config, as a zod schema. Field names are camelCase as written in the file. Everything has a
 * default except what only the operator can know (backends and models), so a config stays short.
 */

const replicaSchema = z.union([
  z.string().url(),
  z.strictObject({
    /** Stable id used in `x-switchyard-route` and logs; defaults to `<backend>-<index>`. */
    id: z.string().min(1).optional(),
    url: z.string().url(),
  }),
]);

export const backendSchema = z.strictObject({
  /** Pool name: unique, used in `x-switchyard-route: <pool>/<replica>`. */
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only'),
  /** Adapter family from src/providers/registry.ts. */
  provider: z.string().min(1).default('openai-compatible'),
  /** Per-vendor quirks of the openai-compatible adapter (vllm, sglang, llamacpp, ollama, tgi, openai). */
  vendor: z.string().min(1).optional(),
  /** The model id the upstream knows. */
  model: z.string().min(1),
  /** One base URL per replica (`http://host:8000/v1`). */
  replicas: z.array(replicaSchema).min(1),
  apiKey: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** Adapter-specific settings (AWS region, API version, …). */
  options: z.record(z.string(), z.unknown()).optional(),
  /**
   * The chat template the pool's engines render chat prompts with, when the gateway can reproduce it:
   * `chatml` (Switchyard's engine emulator; Qwen's layout). The gateway then hashes the rendered prompt,
   * so cache-aware routing on chat requests matches the engines' KV events. Unset: plain prompt text.
   */
  chatTemplate: z.enum(['chatml']).optional(),
  /** Hardware profile id for self-hosted pools (`h100-sxm`, `l4`, `trainium2`); `external` for APIs. */
  hardware: z.string().min(1).default('external'),
  /** Model profile id for performance estimates. */
  modelProfile: z.string().min(1).optional(),
  tensorParallel: z.number().int().min(1).default(1),
  /** Price of one replica per hour, USD. */
  usdPerHour: z.number().min(0).default(0),
  /** Power draw of one replica at full load and at idle, watts. */
  watts: z.number().min(0).default(0),
  /**
   * Provider list prices in USD per million tokens, for pools billed per token (APIs). Pools without
   * prices are billed by service time at `usdPerHour` (docs/tenancy.md, Pricing).
   */
  price: z
    .strictObject({
      inputPerMTok: z.number().min(0),
      cachedInputPerMTok: z.number().min(0).optional(),
      cacheWritePerMTok: z.number().min(0).optional(),
      outputPerMTok: z.number().min(0),
    })
    .optional(),
  idleWatts: z.number().min(0).default(0),
  /** Running-sequence cap of the engine (vLLM `max_num_seqs`), for least-loaded style policies. */
  maxRunning: z.number().int().min(1).default(256),
  /** Live state of self-hosted replicas: /metrics scraping, KV events, active health checks (live-schema.ts). */
  metrics: metricsSchema,
  kvEvents: kvEventsSchema,
  health: healthCheckSchema,
}).superRefine(checkLiveUrls);

export const modelSchema = z.strictObject({
  /** The public name clients send as `model`. */
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  /** Pools (backend names) that serve this model; the routing policy picks among their replicas. */
  backends: z.array(z.string().min(1)).min(1),
  /** Public models to try, in order, when every replica of this one failed with a retryable error. */
  fallbacks: z.array(z.string().min(1)).default([]),
  /** Latency objective, passed to the scheduler. */
  slo: z.strictObject({ ttftMs: z.number().positive().optional(), tpotMs: z.number().positive().optional() }).optional(),
  /** Owner shown in `GET /v1/models`. */
  ownedBy: z.string().default('switchyard'),
});

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(4000),
      /** Largest request body accepted, bytes; larger gets 413 without reading the rest. */
      bodyLimitBytes: z.number().int().positive().default(10 * 1024 * 1024),
      /** How long a graceful shutdown waits for in-flight requests, ms. */
      shutdownGraceMs: z.number().int().min(0).default(10_000),
      /**
       * A keep-alive on a stream whose upstream has been silent this long (long prefills, thinking pauses),
       * so idle timeouts of proxies in between do not cut it: Anthropic's `ping`, an SSE comment on the
       * OpenAI surface. 0 disables.
       */
      sseKeepAliveMs: z.number().int().min(0).default(15_000),
      /**
       * When set, `GET /metrics` answers only requests with `Authorization: Bearer <token>` (Prometheus:
       * `authorization: { credentials: … }`). Unset, /metrics is open, as Prometheus endpoints usually are.
       */
      metricsToken: z.string().min(16, 'the metrics token must have at least 16 characters').optional(),
      logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    })
    .prefault({}),
  routing: z
    .strictObject({
      /** A policy name from src/scheduler/registry.ts. */
      policy: z.string().default('least-loaded'),
      seed: z.number().int().optional(),
      /** Upstream attempts per request across replicas and fallbacks, first try included. */
      maxAttempts: z.number().int().min(1).max(20).default(4),
      /** Longest `retry-after` the gateway waits out itself before giving up on a replica, ms. */
      maxRetryAfterMs: z.number().int().min(0).default(2_000),
      /** Longest a request waits for capacity when the policy queues it, ms; then 429 capacity_exceeded. */
      maxQueueMs: z.number().int().min(0).default(5_000),
    })
    .prefault({}),
  timeouts: z
    .strictObject({
      connectMs: z.number().int().positive().default(5_000),
      firstByteMs: z.number().int().positive().default(120_000),
      chunkGapMs: z.number().int().positive().default(60_000),
      totalMs: z.number().int().min(0).default(600_000),
    })
    .prefault({}),
  health: z
    .strictObject({
      /** Consecutive failures that open a replica's circuit breaker. */
      failureThreshold: z.number().int().min(1).default(3),
      /** How long an open breaker waits before letting one probe request through (half-open), ms. */
      cooldownMs: z.number().int().min(0).default(10_000),
    })
    .prefault({}),
  /** API keys, limits and the usage ledger (docs/tenancy.md). */
  tenancy: z
    .strictObject({
      /**
       * Refuse /v1 requests without an API key: `auto` as soon as any key exists (a fresh install stays
       * open, the first `switchyard keys create` locks it), `true` always, `false` never (keyless
       * requests are served and recorded anonymously; a key that is sent is always checked).
       */
      requireKeys: z.union([z.boolean(), z.literal('auto')]).default('auto'),
      /** Enables /admin/* (write `${SWITCHYARD_ADMIN_TOKEN}`); unset: the SWITCHYARD_ADMIN_TOKEN variable, else disabled. */
      adminToken: z.string().min(16, 'use at least 16 characters').optional(),
      /** SQLite file for keys and the ledger (ignored with `postgres`). */
      sqlite: z.string().min(1).default('.switchyard/switchyard.db'),
      /** PostgreSQL URL: keys and the ledger shared by every gateway process. */
      postgres: z.string().min(1).optional(),
      /** Redis URL: limits shared by every gateway process (otherwise in this process's memory). */
      redis: z.string().min(1).optional(),
      /** How late another process's key revocation may take effect here, ms. */
      authCacheTtlMs: z.number().int().min(0).default(5_000),
      /** When Redis is unreachable: admit without limits (true) or answer 503 (false). */
      failOpen: z.boolean().default(false),
      /** Ledger batching: flush at least this often, ms (also the bound on what a hard kill loses). */
      ledgerFlushMs: z.number().int().min(1).default(25),
    })
    .prefault({}),
  backends: z.array(backendSchema).min(1),
  models: z.array(modelSchema).min(1),
});

/** The validated config (defaults applied). */
export type Config = z.output<typeof configSchema>;
export type BackendConfig = z.output<typeof backendSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
/** What may be written in the file. */
export type ConfigInput = z.input<typeof configSchema>;
