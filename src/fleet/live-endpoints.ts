/**
 * Where and how often the gateway reads a self-hosted replica's live state. Resolved from the config per
 * replica (src/server/live-endpoints.ts); a replica without an entry is run on the gateway's own
 * accounting and passive health only (provider APIs have no /metrics, KV events or /health).
 */
export interface LiveEndpoints {
  metrics?: MetricsEndpoint;
  kvEvents?: KvEventsEndpoint;
  health?: HealthEndpoint;
}

export interface MetricsEndpoint {
  /** Absolute URL of the Prometheus page. */
  url: string;
  /** Time from the start of one scrape to the start of the next; scrapes of a replica never overlap. */
  intervalMs: number;
  /** Engine numbers older than this are dropped for the gateway's own accounting (llm-d: 2 s). */
  staleAfterMs: number;
  /** A scrape that takes longer is abandoned. */
  timeoutMs: number;
}

export interface KvEventsEndpoint {
  /** Absolute URL of a server-sent-event stream of KV event batches (the emulator's `GET /kv-events`). */
  url: string;
}

export interface HealthEndpoint {
  url: string;
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive failed checks that take the replica out. */
  unhealthyThreshold: number;
  /** Consecutive passed checks that put it back. */
  healthyThreshold: number;
}
