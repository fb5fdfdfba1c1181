/**
 * The engine model's contract. The model itself (src/engine/*) is pure and clock-free: callers tell it the
 * time. The emulator drives it from the wall clock, the simulator from a virtual clock, the scheduler asks
 * it for estimates. Nothing here does I/O.
 */

/** An accelerator or CPU, as data. Every number has its source in `sources`. */
export interface HardwareProfile {
  id: string;
  name: string;
  kind: 'gpu' | 'accelerator' | 'cpu';
  /** Dense BF16 peak, TFLOP/s, per device. */
  peakTflops: number;
  /** Memory per device, GB (10^9 bytes). */
  memoryGb: number;
  /** Memory bandwidth per device, GB/s. */
  memoryBandwidthGBs: number;
  /** Device-to-device bandwidth for tensor-parallel all-reduce, GB/s per direction; 0 when TP is unsupported. */
  interconnectGBs: number;
  tdpWatts: number;
  idleWatts: number;
  /** On-demand price per device-hour, USD. */
  usdPerHour: number;
  /** Achieved fraction of peak FLOP/s in prefill (model FLOPs utilisation), used by the roofline. */
  mfuPrefill: number;
  /** Achieved fraction of peak FLOP/s in decode. */
  mfuDecode: number;
  /** Achieved fraction of peak memory bandwidth (memory bandwidth utilisation). */
  mbu: number;
  /** Fixed per-iteration overhead (scheduling, kernel launches, sampling), ms. */
  stepOverheadMs: number;
  /** Largest tensor-parallel degree one replica can use on this hardware. */
  maxTensorParallel: number;
  /**
   * Fixed latency of one small all-reduce across the TP group, microseconds (launch + link latency; two per
   * layer per step). Optional: the roofline uses 8 µs when absent.
   */
  allReduceLatencyUs?: number;
  sources: Record<string, string>;
}

/** A model, as data. KV bytes per token follow from layers × KV heads × head size × dtype. */
export interface ModelProfile {
  id: string;
  name: string;
  /** Total parameters, billions (all experts). */
  parametersB: number;
  /** Parameters active per token, billions (equals parametersB for dense models). */
  activeParametersB: number;
  layers: number;
  hiddenSize: number;
  attentionHeads: number;
  kvHeads: number;
  headDim: number;
  /** Bytes per weight and per KV element (2 for BF16). */
  dtypeBytes: number;
  maxContextTokens: number;
  /** Mixture of experts: routed experts per layer (absent for dense models). */
  experts?: number;
  /** Mixture of experts: experts each token is routed to. */
  expertsPerToken?: number;
  sources: Record<string, string>;
}

/** vLLM-style engine settings. Defaults follow vLLM's (documented in src/engine). */
export interface EngineConfig {
  /** Tokens per KV block (vLLM `--block-size`, default 16). */
  blockSize: number;
  /** Cap on running sequences (vLLM `--max-num-seqs`). */
  maxNumSeqs: number;
  /** Token budget per iteration (vLLM `--max-num-batched-tokens`). */
  maxNumBatchedTokens: number;
  /** Fraction of device memory the engine may use (vLLM `--gpu-memory-utilization`). */
  gpuMemoryUtilization: number;
  enablePrefixCaching: boolean;
  enableChunkedPrefill: boolean;
}

/** A replica: model × hardware × tensor-parallel degree, with its engine settings. */
export interface ReplicaSpec {
  model: ModelProfile;
  hardware: HardwareProfile;
  tensorParallel: number;
  engine: EngineConfig;
}

/** One request as the engine sees it. */
export interface EngineRequest {
  id: string;
  promptTokens: number;
  /**
   * Chained hashes of the prompt's full blocks, each covering `hashBlockTokens` tokens (a multiple of the
   * engine's block size: 16 live, 512 for Mooncake traces). The prefix cache works on these.
   */
  blockHashes: readonly number[];
  hashBlockTokens: number;
  /** Tokens this request will generate before it stops (the emulator decides it; traces give it). */
  outputTokens: number;
  /** 0 is most urgent; FCFS within a priority. */
  priority: number;
  arrivalMs: number;
}

export type EngineEvent =
  /** Admitted to the running batch; `cachedTokens` of its prompt were prefix-cache hits. */
  | { type: 'scheduled'; id: string; atMs: number; cachedTokens: number }
  | { type: 'first-token'; id: string; atMs: number }
  /**
   * `count` new output tokens became visible (only when the engine emits token events). The first token is
   * reported here too (alongside `first-token`), so a request's counts add up to its `outputTokens`.
   */
  | { type: 'tokens'; id: string; atMs: number; count: number }
  | { type: 'preempted'; id: string; atMs: number }
  | {
      type: 'finished';
      id: string;
      atMs: number;
      promptTokens: number;
      cachedTokens: number;
      outputTokens: number;
      /** This request's share of the replica's energy while it was resident, joules. */
      energyJ: number;
      preemptions: number;
      aborted: boolean;
    }
  /** Prefix-cache blocks became available (vLLM BlockStored). Hashes are the request's `blockHashes`. */
  | { type: 'kv-stored'; atMs: number; hashes: number[]; parentHash: number | null }
  /** Cached blocks were evicted (vLLM BlockRemoved). */
  | { type: 'kv-removed'; atMs: number; hashes: number[] }
  /** The whole prefix cache was dropped (vLLM AllBlocksCleared); the engine model has no reset, so never emits it. */
  | { type: 'kv-cleared'; atMs: number };

/** One iteration of the engine. Events take effect at `endMs`. */
export interface StepResult {
  startMs: number;
  endMs: number;
  prefillTokens: number;
  decodeTokens: number;
  /** Energy of the replica over the step, joules. */
  energyJ: number;
  events: EngineEvent[];
}

/** Live state, in the terms the scheduler and vLLM's /metrics use. */
export interface EngineState {
  running: number;
  waiting: number;
  /** Prompt tokens admitted and not yet prefilled. */
  pendingPrefillTokens: number;
  kvBlocksTotal: number;
  kvBlocksUsed: number;
  /** kvBlocksUsed / kvBlocksTotal. */
  kvUsage: number;
  /** Prefix-cache lookups and hits, in tokens, since start (vLLM's prefix_cache_queries / _hits). */
  prefixQueriesTokens: number;
  prefixHitsTokens: number;
  preemptions: number;
  /** Joules consumed since start, idle time included up to the last call. */
  energyJ: number;
  /** Milliseconds spent stepping since start. */
  busyMs: number;
}

export interface EngineOptions {
  /** Emit a `tokens` event per sequence per step (the emulator streams them; the simulator does not need them). */
  emitTokenEvents?: boolean;
  /** Emit kv-stored / kv-removed / kv-cleared events. */
  emitKvEvents?: boolean;
}

/**
 * A replica's engine. Protocol: `add` requests as they arrive; while `hasWork()`, call `step(now)` at the time
 * the previous step ended (or at the arrival that woke an idle engine); apply its events at `endMs`.
 */
export interface Engine {
  readonly spec: ReplicaSpec;
  add(request: EngineRequest, nowMs: number): void;
  /** Drops a request (client gone); frees its blocks; emits `finished` with aborted=true at the next step. */
  abort(id: string, nowMs: number): void;
  hasWork(): boolean;
  /**
   * Runs one iteration. With `into`, fills and returns that caller-owned object instead of allocating one
   * (the simulator keeps one per replica: a step's result is consumed before that replica's next step).
   */
  step(nowMs: number, into?: StepResult): StepResult;
  /**
   * Live state at `nowMs`. With `into`, fills and returns that caller-owned object instead of allocating one:
   * the simulator reads the state after every step (millions of times a run), so the hot path allocates nothing.
   */
  state(nowMs: number, into?: EngineState): EngineState;
  /**
   * Drops every cached prefix block, as vLLM's `reset_prefix_cache` does: only when no request holds KV
   * blocks (vLLM refuses while blocks are in use, and so does this). True when the cache was reset; the
   * caller then reports it (vLLM's `AllBlocksCleared` KV event).
   */
  resetPrefixCache(nowMs: number): boolean;
}
