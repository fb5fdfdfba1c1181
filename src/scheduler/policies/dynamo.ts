import type { ReplicaState } from '../../spec/replica.js';
import type { Decision, FleetView, RequestFeatures, RoutingPolicy } from '../../spec/routing.js';
import { Random } from '../../util/random.js';
import { noHealthyReplica } from './no-healthy-replica.js';
import { cachedTokens, PrefixSource } from './prefix-source.js';

/**
 * NVIDIA Dynamo's KV router cost, reimplemented from its published description (ai-dynamo/dynamo
 * docs/architecture/kv_cache_routing.md and the kv_router selector; reference/scheduling.md §2):
 *
 *   logit(i) = overlap_score_weight × prefill_blocks(i) + decode_blocks(i),  lowest wins
 *
 * - prefill_blocks = blocks of this prompt replica i would still have to prefill (prompt − cached overlap);
 * - decode_blocks = the replica's active KV blocks plus this request's. Dynamo's router counts the blocks
 *   of every sequence it routed from the moment it routes it; from a replica snapshot that is the blocks in
 *   use (kvUsage × total) plus the queued prefill tokens not yet holding blocks, in engine blocks.
 * - `--kv-overlap-score-weight` 1 and `--router-temperature` 0 (deterministic argmin); ties go to the
 *   replica with the smallest cache (radix tree), then at random.
 */
export class DynamoPolicy implements RoutingPolicy {
  readonly name = 'dynamo';
  static readonly OVERLAP_WEIGHT = 1;
  readonly #prefix = new PrefixSource();
  readonly #random: Random;

  constructor(seed = 1) {
    this.#random = new Random(seed);
  }

  onDispatch(request: RequestFeatures, replicaId: string): void {
    this.#prefix.dispatched(request, replicaId);
  }

  decide(request: RequestFeatures, fleet: FleetView): Decision {
    const lookup = this.#prefix.lookup(fleet);
    let best: ReplicaState | undefined;
    let bestLogit = Infinity;
    let bestTree = Infinity;
    let bestCached = 0;
    let ties = 0;
    for (const replica of fleet.replicas) {
      if (!replica.healthy) continue;
      const blockSize = Math.max(1, replica.blockSize);
      const cached = cachedTokens(request, lookup.matchedBlocks(replica.id, request.blockHashes));
      const prefillBlocks = Math.ceil((request.promptTokens - cached) / blockSize);
      const activeBlocks =
        replica.kvUsage * replica.kvBlocksTotal + Math.ceil(replica.pendingPrefillTokens / blockSize);
      const decodeBlocks = activeBlocks + Math.ceil(request.promptTokens / blockSize);
      const logit = DynamoPolicy.OVERLAP_WEIGHT * prefillBlocks + decodeBlocks;
      const tree = fleet.prefix === undefined ? this.#prefix.approximate.size(replica.id) : 0;
      if (logit < bestLogit || (logit === bestLogit && tree < bestTree)) {
        best = replica;
        bestLogit = logit;
        bestTree = tree;
        bestCached = cached;
        ties = 1;
      } else if (logit === bestLogit && tree === bestTree) {
        ties++;
        if (this.#random.int(ties) === 0) {
          best = replica;
          bestCached = cached;
        }
      }
    }
    if (best === undefined) return noHealthyReplica();
    this.#prefix.chosen(best);
    return {
      kind: 'route',
      replicaId: best.id,
      reason: `lowest prefill+decode block cost ${Math.round(bestLogit)}`,
      estimate: { cachedTokens: bestCached },
    };
  }
}
