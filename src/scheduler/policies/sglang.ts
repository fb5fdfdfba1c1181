import type { ReplicaState } from '../../spec/replica.js';
import type { Decision, FleetView, RequestFeatures, RoutingPolicy } from '../../spec/routing.js';
import { noHealthyReplica } from './no-healthy-replica.js';
import { cachedTokens, PrefixSource } from './prefix-source.js';

/**
 * SGLang router's `cache_aware` policy, reimplemented from its published description (sgl-project/sglang
 * sgl-router/src/policies/cache_aware.rs; CLI defaults in py_src/sglang_router/router_args.py;
 * reference/scheduling.md §3):
 *
 * 1. load = outstanding requests per worker. If (max − min) > balance_abs_threshold (64) and
 *    max > min × balance_rel_threshold (1.5), the system is imbalanced: pick the least-loaded worker.
 * 2. Otherwise find the worker with the longest prefix match in the router's approximate tree; if
 *    match rate = matched / prompt > cache_threshold (0.3), pick it; else pick the worker with the smallest
 *    tree (the most free cache).
 * 3. Either way, insert the prompt under the chosen worker.
 *
 * Deviations: SGLang's tree is over characters; ours over the request's hashed token blocks. SGLang evicts
 * its tree down to max_tree_size globally; we bound each worker's memory to its KV capacity, like llm-d.
 * SGLang never reads engine KV events, so neither does this policy.
 */
export class SglangPolicy implements RoutingPolicy {
  readonly name = 'sglang';
  static readonly CACHE_THRESHOLD = 0.3;
  static readonly BALANCE_ABS_THRESHOLD = 64;
  static readonly BALANCE_REL_THRESHOLD = 1.5;
  readonly #prefix = new PrefixSource(true);

  onDispatch(request: RequestFeatures, replicaId: string): void {
    this.#prefix.dispatched(request, replicaId);
  }

  decide(request: RequestFeatures, fleet: FleetView): Decision {
    let leastLoaded: ReplicaState | undefined;
    let minLoad = Infinity;
    let maxLoad = -Infinity;
    for (const replica of fleet.replicas) {
      if (!replica.healthy) continue;
      const load = replica.running + replica.waiting;
      if (load < minLoad) {
        minLoad = load;
        leastLoaded = replica;
      }
      maxLoad = Math.max(maxLoad, load);
    }
    if (leastLoaded === undefined) return noHealthyReplica();

    const imbalanced =
      maxLoad - minLoad > SglangPolicy.BALANCE_ABS_THRESHOLD && maxLoad > minLoad * SglangPolicy.BALANCE_REL_THRESHOLD;
    if (imbalanced) return this.#route(request, leastLoaded, `imbalanced (load ${minLoad}..${maxLoad}): least loaded`);

    const index = this.#prefix.lookup(fleet);
    const tree = this.#prefix.approximate;
    let longest: ReplicaState | undefined;
    let longestMatch = -1;
    let smallest: ReplicaState | undefined;
    let smallestTree = Infinity;
    for (const replica of fleet.replicas) {
      if (!replica.healthy) continue;
      const matched = index.matchedBlocks(replica.id, request.blockHashes);
      if (matched > longestMatch) {
        longestMatch = matched;
        longest = replica;
      }
      const size = tree.size(replica.id);
      if (size < smallestTree) {
        smallestTree = size;
        smallest = replica;
      }
    }
    const matchRate = request.promptTokens > 0 ? cachedTokens(request, longestMatch) / request.promptTokens : 0;
    if (longest !== undefined && matchRate > SglangPolicy.CACHE_THRESHOLD) {
      return this.#route(request, longest, `prefix match rate ${matchRate.toFixed(2)} > ${SglangPolicy.CACHE_THRESHOLD}`);
    }
    return this.#route(request, smallest ?? leastLoaded, `match rate ${matchRate.toFixed(2)}: smallest tree`);
  }

  #route(request: RequestFeatures, replica: ReplicaState, reason: string): Decision {
    const cached = cachedTokens(request, this.#prefix.approximate.matchedBlocks(replica.id, request.blockHashes));
    this.#prefix.chosen(replica);
    return { kind: 'route', replicaId: replica.id, reason, estimate: { cachedTokens: cached } };
  }
}
