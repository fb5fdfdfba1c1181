import type { Decision, FleetView, RequestFeatures, RoutingPolicy } from '../../spec/routing.js';
import { noHealthyReplica } from './no-healthy-replica.js';

/**
 * Baseline: the healthy replica with the fewest outstanding requests (running + waiting), ties broken by
 * less queued prefill work, then by order. LiteLLM's `least-busy` and Ray Serve's power-of-two-choices are
 * variants of it; blind to the prefix cache and to price.
 */
export class LeastLoadedPolicy implements RoutingPolicy {
  readonly name = 'least-loaded';

  decide(_request: RequestFeatures, fleet: FleetView): Decision {
    let best = undefined as (typeof fleet.replicas)[number] | undefined;
    for (const replica of fleet.replicas) {
      if (!replica.healthy) continue;
      if (best === undefined) {
        best = replica;
        continue;
      }
      const load = replica.running + replica.waiting;
      const bestLoad = best.running + best.waiting;
      if (load < bestLoad || (load === bestLoad && replica.pendingPrefillTokens < best.pendingPrefillTokens)) best = replica;
    }
    if (best === undefined) return noHealthyReplica();
    return { kind: 'route', replicaId: best.id, reason: `fewest outstanding requests (${best.running + best.waiting})` };
  }
}
