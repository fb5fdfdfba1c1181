/**
 * The engine's record of one request. A plain class with fixed fields (one hidden class in V8), mutated in
 * place; no per-step allocation.
 */
import type { EngineRequest } from './types.js';

export const WAITING = 0;
export const PREFILL = 1;
export const DECODE = 2;
export const DONE = 3;

const EMPTY_IDS = new Int32Array(0);

export class Sequence {
  readonly id: string;
  readonly order: number;
  readonly priority: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly hashes: readonly number[];
  readonly hashBlockTokens: number;
  /** Hash blocks usable for the prefix cache (full blocks inside the prompt; 0 when caching is off). */
  readonly hashCount: number;
  phase = WAITING;
  /** Tokens of this sequence's KV that exist (prefix hits + prefilled). */
  computed = 0;
  /** Tokens the current prefill must reach: the prompt, plus tokens generated before a preemption. */
  target: number;
  /** Output tokens generated; while decoding, as of `joinStep` (see Engine for the current value). */
  generated = 0;
  /** Prefix-cache entries held: `hashes[0..refHashes)`, their pool entry ids in `entryIds`. */
  refHashes = 0;
  readonly entryIds: Int32Array;
  /** Prefix-cache hits at the first admission, tokens (vLLM reports num_cached_tokens once). */
  cachedTokens = -1;
  firstTokenSent = false;
  /** Memo of the last prefix lookup while waiting: valid while the pool's version is unchanged. */
  lookupVersion = -1;
  lookupHits = 0;
  preemptions = 0;
  energyJ = 0;
  /** Bumped whenever the sequence leaves a heap, so stale heap slots are skipped. */
  epoch = 0;
  /** Position in the engine's running array, -1 when not running. */
  runIndex = -1;
  /** Prefill tokens scheduled in the step being built (their blocks are already allocated). */
  stepChunk = 0;
  // Decode bookkeeping: the aggregate decode batch advances everyone by one token per step.
  joinStep = 0;
  ctxAtJoin = 0;
  residueKey = 0;
  energyBase = 0;

  constructor(request: EngineRequest, order: number, outputTokens: number, hashCount: number) {
    this.id = request.id;
    this.order = order;
    this.priority = request.priority;
    this.promptTokens = request.promptTokens;
    this.outputTokens = outputTokens;
    this.hashes = request.blockHashes;
    this.hashBlockTokens = request.hashBlockTokens;
    this.hashCount = hashCount;
    this.target = request.promptTokens;
    this.entryIds = hashCount > 0 ? new Int32Array(hashCount) : EMPTY_IDS;
  }
}
