import type { Decision, FleetView, RequestFeatures, RoutingPolicy } from '../../spec/routing.js';
import { Random } from '../../util/random.js';
import { noHealthyReplica } from './no-healthy-replica.js';

/** Baseline: a uniformly random healthy replica, seeded so simulations repeat. */
export class RandomPolicy implements RoutingPolicy {
  readonly name = 'random';
  readonly #random: Random;

  constructor(seed = 1) {
    this.#random = new Random(seed);
  }

  decide(_request: RequestFeatures, fleet: FleetView): Decision {
    const healthy = fleet.replicas.filter((replica) => replica.healthy);
    if (healthy.length === 0) return noHealthyReplica();
    const replica = healthy[this.#random.int(healthy.length)];
    return replica === undefined ? noHealthyReplica() : { kind: 'route', replicaId: replica.id, reason: 'random pick' };
  }
}
