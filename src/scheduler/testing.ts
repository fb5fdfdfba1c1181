/** Small hand-built states for the scheduler's tests and benchmarks. */
import type { ReplicaState } from '../spec/replica.js';
import type { RequestFeatures } from '../spec/routing.js';

export function replicaState(id: string, overrides: Partial<ReplicaState> = {}): ReplicaState {
  return {
    id,
    pool: 'p',
    model: 'm',
    hardware: 'h100-sxm',
    tensorParallel: 1,
    usdPerHour: 4,
    idleWatts: 100,
    maxWatts: 700,
    running: 0,
    waiting: 0,
    pendingPrefillTokens: 0,
    kvUsage: 0,
    kvBlocksTotal: 10_000,
    blockSize: 16,
    maxRunning: 256,
    healthy: true,
    updatedAtMs: 0,
    ...overrides,
  };
}

export function requestFeatures(id: string, overrides: Partial<RequestFeatures> = {}): RequestFeatures {
  return {
    id,
    model: 'm',
    tenant: 't',
    priority: 'interactive',
    slo: {},
    promptTokens: 1024,
    maxOutputTokens: 128,
    blockHashes: [],
    blockTokens: 16,
    arrivalMs: 0,
    ...overrides,
  };
}

/** A prompt of `blocks` full blocks whose chain starts with `prefix` (shared) and continues with `unique`. */
export function chain(prefix: readonly number[], uniqueStart: number, uniqueBlocks: number): number[] {
  return [...prefix, ...Array.from({ length: uniqueBlocks }, (_, i) => uniqueStart + i)];
}
