/** Helpers for the fleet's tests (not part of its API). */
import type { Clock } from '../spec/clock.js';
import type { ReplicaSpec } from './replica.js';

/** Polls `check` every 10 ms until it holds; fails after `attempts` polls. Never asserts on elapsed time. */
export async function until(check: () => boolean | Promise<boolean>, what: string, attempts = 1000): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

export function manualClock(start = 0): Clock & { advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export const WALL: Clock = { now: () => performance.now() };

export function replicaSpec(id: string, overrides: Partial<ReplicaSpec> = {}): ReplicaSpec {
  return {
    id,
    pool: 'p',
    model: 'm',
    hardware: 'h100-sxm',
    tensorParallel: 1,
    usdPerHour: 1,
    idleWatts: 100,
    maxWatts: 700,
    maxRunning: 4,
    provider: 'openai-compatible',
    target: { baseUrl: 'http://127.0.0.1:1/v1', upstreamModel: 'm', options: {} },
    ...overrides,
  };
}
