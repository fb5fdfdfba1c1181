import type { Usage } from '../spec/usage.js';

/**
 * One row of the ledger: one per request that reached the gateway's request path, success or failure.
 * Every optional field is "unknown" when absent and is stored as NULL, never as 0.
 */
export interface UsageRecord {
  /** The request id (also sent to the client as `x-request-id`). */
  id: string;
  /** Epoch ms when the request arrived and when its last byte was sent (or it failed). */
  startedAt: number;
  endedAt: number;
  tenant?: string;
  /** The key's public id. */
  keyId?: string;
  /** The model name the client asked for, and the one that served it (after aliases and fallbacks). */
  publicModel?: string;
  servedModel?: string;
  pool?: string;
  replica?: string;
  hardware?: string;
  usage: Usage;
  costUsd?: number;
  energyJ?: number;
  ttftMs?: number;
  /** Total latency; defaults to endedAt − startedAt. */
  latencyMs?: number;
  /** HTTP status answered to the client. */
  status: number;
  /** Error catalog code when the request failed. */
  errorCode?: string;
  /** From the `x-switchyard-tags` header. */
  tags?: Readonly<Record<string, string>>;
}
