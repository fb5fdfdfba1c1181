import type { Decision, FleetView, RequestFeatures, RoutingPolicy } from '../../spec/routing.js';
import { noHealthyReplica } from './no-healthy-replica.js';

/** Baseline: healthy replicas in turn, blind to load, cache and price (Kubernetes Service behaviour). */
export class RoundRobinPolicy implements RoutingPolicy {
  readonly name = 'round-robin';
  #cursor = 0;

  decide(_request: RequestFeatures, fleet: FleetView): Decision {
    const { replicas } = fleet;
    for (let tried = 0; tried < replicas.length; tried++) {
      const replica = replicas[this.#cursor % replicas.length];
      this.#cursor = (this.#cursor + 1) % Math.max(1, replicas.length);
      if (replica?.healthy === true) return { kind: 'route', replicaId: replica.id, reason: 'next in turn' };
    }
    return noHealthyReplica();
  }
}
