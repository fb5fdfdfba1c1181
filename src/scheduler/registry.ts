import type { RoutingPolicy } from '../spec/routing.js';
import { DynamoPolicy } from './policies/dynamo.js';
import { LeastLoadedPolicy } from './policies/least-loaded.js';
import { LlmDPolicy } from './policies/llm-d.js';
import { RandomPolicy } from './policies/random.js';
import { RoundRobinPolicy } from './policies/round-robin.js';
import { SglangPolicy } from './policies/sglang.js';
import { SwitchyardPolicy } from './policies/switchyard.js';

export interface PolicyOptions {
  /** Seed for policies that draw random numbers. */
  seed?: number;
}

/**
 * Every routing policy by name, for `switchyard sim --policy` and the gateway's `routing.policy`.
 * One line per policy; a policy is a fresh object per fleet because it keeps its own bookkeeping.
 */
const FACTORIES: Record<string, (options: PolicyOptions) => RoutingPolicy> = {
  'round-robin': () => new RoundRobinPolicy(),
  random: (options) => new RandomPolicy(options.seed ?? 1),
  'least-loaded': () => new LeastLoadedPolicy(),
  'llm-d': (options) => new LlmDPolicy(options.seed ?? 1),
  dynamo: (options) => new DynamoPolicy(options.seed ?? 1),
  sglang: () => new SglangPolicy(),
  switchyard: () => new SwitchyardPolicy(),
};

export const POLICY_NAMES: readonly string[] = Object.keys(FACTORIES);

export function createPolicy(name: string, options: PolicyOptions = {}): RoutingPolicy {
  const factory = FACTORIES[name];
  if (factory === undefined) {
    throw new Error(`unknown routing policy "${name}"; known: ${POLICY_NAMES.join(', ')}`);
  }
  return factory(options);
}
