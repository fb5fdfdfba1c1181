/**
 * What the scheduler sees of one replica at decision time. The gateway fills it from its own in-flight
 * accounting and the replica's /metrics; the simulator fills it from the engine model. Same type, same
 * policy code.
 */
export interface ReplicaState {
  id: string;
  pool: string;
  /** Public model name this replica serves. */
  model: string;
  /** Hardware profile id (src/engine/hardware), e.g. `h100-sxm`; `external` for a provider API. */
  hardware: string;
  /** Model profile id (src/engine/models) when known, for performance estimates. */
  modelProfile?: string;
  tensorParallel: number;
  /** Price of the replica per hour, all its accelerators together. */
  usdPerHour: number;
  idleWatts: number;
  maxWatts: number;
  /** Sequences in the running batch. */
  running: number;
  /** Requests admitted but waiting for a batch slot. */
  waiting: number;
  /** Prompt tokens admitted to the replica and not yet prefilled: its queued prefill work. */
  pendingPrefillTokens: number;
  /** Fraction of KV blocks in use, 0..1. */
  kvUsage: number;
  kvBlocksTotal: number;
  /** Tokens per KV block. */
  blockSize: number;
  /** Running-sequence cap (vLLM `max_num_seqs`). */
  maxRunning: number;
  healthy: boolean;
  /** Clock time the state was last refreshed; the fleet marks replicas stale from it. */
  updatedAtMs: number;
}
