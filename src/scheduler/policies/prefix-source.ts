import type { ReplicaState } from '../../spec/replica.js';
import type { FleetView, PrefixLookup, RequestFeatures } from '../../spec/routing.js';
import { ApproximatePrefixIndex } from '../prefix/approximate-index.js';

/**
 * Where a cache-aware policy learns what each replica holds: the fleet's precise index (built from engine KV
 * events) when it has one, otherwise the policy's own approximate index of what it routed.
 */
export class PrefixSource {
  readonly approximate = new ApproximatePrefixIndex();

  lookup(fleet: FleetView): PrefixLookup {
    return fleet.prefix ?? this.approximate;
  }

  /**
   * Remembers a routing decision in the approximate index, whose per-replica LRU is sized to the replica's
   * KV capacity expressed in the request's hashed blocks (llm-d autoTune: `num_gpu_blocks`).
   */
  record(request: RequestFeatures, replica: ReplicaState): void {
    this.approximate.record(replica.id, request.blockHashes, kvCapacityInHashBlocks(replica, request.blockTokens));
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
