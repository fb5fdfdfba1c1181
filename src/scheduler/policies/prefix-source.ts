import type { ReplicaState } from '../../spec/replica.js';
import type { FleetView, PrefixLookup, RequestFeatures } from '../../spec/routing.js';
import { ApproximatePrefixIndex } from '../prefix/approximate-index.js';

/**
 * Where a cache-aware policy learns what each replica holds: the fleet's precise index (built from engine KV
 * events) when it has one, otherwise the policy's own approximate index of what it dispatched.
 *
 * The approximate index is written in `onDispatch`, not in `decide`: that is when the request really goes
 * to the replica (a gateway may retry elsewhere, a queued request is dispatched later), and it keeps the
 * index update — a few map operations per prompt block — out of the decision's latency.
 */
export class PrefixSource {
  readonly approximate = new ApproximatePrefixIndex();
  /** Last state seen of each replica a decision chose, for its KV capacity when the dispatch is recorded. */
  readonly #chosen = new Map<string, ReplicaState>();
  /** The policy never reads the fleet's precise index (SGLang's router keeps its own tree). */
  readonly alwaysOwn: boolean;
  /** The last decision used the approximate index, so its dispatch is to be recorded. */
  #own: boolean;

  constructor(alwaysOwn = false) {
    this.alwaysOwn = alwaysOwn;
    this.#own = alwaysOwn;
  }

  lookup(fleet: FleetView): PrefixLookup {
    if (this.alwaysOwn || fleet.prefix === undefined) {
      this.#own = true;
      return this.approximate;
    }
    this.#own = false;
    return fleet.prefix;
  }

  /** The decision chose `replica` (remembered for its capacity when the dispatch is recorded). */
  chosen(replica: ReplicaState): void {
    if (this.#own) this.#chosen.set(replica.id, replica);
  }

  /**
   * Records a dispatch in the approximate index, whose per-replica LRU is sized to the replica's KV capacity
   * expressed in the request's hashed blocks (llm-d autoTune: `num_gpu_blocks`).
   */
  dispatched(request: RequestFeatures, replicaId: string): void {
    if (!this.#own) return;
    const state = this.#chosen.get(replicaId);
    this.approximate.record(replicaId, request.blockHashes, state === undefined ? undefined : kvCapacityInHashBlocks(state, request.blockTokens));
  }
}

/** The replica's KV capacity counted in blocks of `hashBlockTokens` tokens. */
export function kvCapacityInHashBlocks(replica: ReplicaState, hashBlockTokens: number): number {
  return Math.max(1, Math.floor((replica.kvBlocksTotal * replica.blockSize) / Math.max(1, hashBlockTokens)));
}

/** Tokens of the request's prompt that `matchedBlocks` leading blocks cover (never more than the prompt). */
export function cachedTokens(request: RequestFeatures, matchedBlocks: number): number {
  return Math.min(request.promptTokens, matchedBlocks * request.blockTokens);
}
