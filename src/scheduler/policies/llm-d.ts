import type { ReplicaState } from '../../spec/replica.js';
import type { Decision, FleetView, RequestFeatures, RoutingPolicy } from '../../spec/routing.js';
import { Random } from '../../util/random.js';
import { noHealthyReplica } from './no-healthy-replica.js';
import { PrefixSource } from './prefix-source.js';

/**
 * llm-d's default weighted scorer, reimplemented from its published description (llm-d-inference-scheduler,
 * now llm-d Router: pkg/epp/config/loader/defaults.go and the scorer plugin READMEs; reference/scheduling.md
 * §1.3–1.6). The binary's default profile when no config is given:
 *
 * - `prefix-cache-scorer`, weight 3: matched blocks / total blocks of the prompt, from the approximate
 *   prefix producer (or the precise index when the fleet publishes KV events);
 * - `queue-scorer`, weight 2: (maxQ − q) / (maxQ − minQ) over the candidates' waiting requests, 1.0 when
 *   all are equal;
 * - `kv-cache-utilization-scorer`, weight 2: 1 − KV usage;
 * - `max-score-picker`: the highest weighted sum, ties broken at random (llm-d shuffles before sorting).
 *
 * No SLO, price or energy term: it always routes while a replica is healthy.
 */
export class LlmDPolicy implements RoutingPolicy {
  readonly name = 'llm-d';
  static readonly WEIGHTS = { prefix: 3, queue: 2, kvUtilization: 2 } as const;
  readonly #prefix = new PrefixSource();
  readonly #random: Random;

  constructor(seed = 1) {
    this.#random = new Random(seed);
  }

  onDispatch(request: RequestFeatures, replicaId: string): void {
    this.#prefix.dispatched(request, replicaId);
  }

  decide(request: RequestFeatures, fleet: FleetView): Decision {
    let minQ = Infinity;
    let maxQ = -Infinity;
    for (const replica of fleet.replicas) {
      if (!replica.healthy) continue;
      minQ = Math.min(minQ, replica.waiting);
      maxQ = Math.max(maxQ, replica.waiting);
    }
    if (minQ === Infinity) return noHealthyReplica();
    const lookup = this.#prefix.lookup(fleet);
    const totalBlocks = request.blockHashes.length;
    const { prefix: wPrefix, queue: wQueue, kvUtilization: wKv } = LlmDPolicy.WEIGHTS;

    let best: ReplicaState | undefined;
    let bestScore = -Infinity;
    let bestPrefix = 0;
    let ties = 0;
    for (const replica of fleet.replicas) {
      if (!replica.healthy) continue;
      const prefixScore = totalBlocks === 0 ? 0 : lookup.matchedBlocks(replica.id, request.blockHashes) / totalBlocks;
      const queueScore = maxQ === minQ ? 1 : (maxQ - replica.waiting) / (maxQ - minQ);
      const kvScore = 1 - Math.min(1, Math.max(0, replica.kvUsage));
      const score = wPrefix * prefixScore + wQueue * queueScore + wKv * kvScore;
      if (score > bestScore + 1e-12) {
        best = replica;
        bestScore = score;
        bestPrefix = prefixScore;
        ties = 1;
      } else if (Math.abs(score - bestScore) <= 1e-12) {
        // Reservoir sampling over the tied maxima: a uniform random tie-break, seeded.
        ties++;
        if (this.#random.int(ties) === 0) {
          best = replica;
          bestPrefix = prefixScore;
        }
      }
    }
    if (best === undefined) return noHealthyReplica();
    this.#prefix.chosen(best);
    return {
      kind: 'route',
      replicaId: best.id,
      reason: `max weighted score ${bestScore.toFixed(3)} (prefix ${bestPrefix.toFixed(2)}×3, queue ×2, kv ×2)`,
      estimate: { cachedTokens: Math.min(request.promptTokens, Math.round(bestPrefix * totalBlocks) * request.blockTokens) },
    };
  }
}
