import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestFeatures } from '../spec/routing.js';
import { LeastLoadedPolicy } from '../scheduler/policies/least-loaded.js';
import { Fleet } from './fleet.js';
import { manualClock, replicaSpec } from './test-support.js';

const BREAKER = { failureThreshold: 3, cooldownMs: 1000 };

function setup(): { fleet: Fleet; clock: ReturnType<typeof manualClock> } {
  const clock = manualClock(1000);
  const fleet = new Fleet([replicaSpec('a', { maxRunning: 4, kvBlocksTotal: 100, blockSize: 16 })], BREAKER, clock);
  return { fleet, clock };
}

test('requests dispatched after a scrape add to its numbers, so back-to-back requests do not both see idle', () => {
  const { fleet } = setup();
  const replica = fleet.get('a')!;
  replica.observe({ running: 1, waiting: 0, kvUsage: 0.5 });
  fleet.begin(replica, 160);
  assert.equal(replica.refresh(1000).running, 2);
  fleet.begin(replica, 160);
  fleet.begin(replica, 160);
  fleet.begin(replica, 160);
  const state = replica.refresh(1000);
  assert.deepEqual([state.running, state.waiting], [4, 1], 'beyond maxRunning the rest waits');
  // 4 × 160 prompt tokens over 100 blocks × 16 tokens: +0.4 of the cache.
  assert.ok(Math.abs(state.kvUsage - 0.9) < 1e-9);
  assert.equal(state.pendingPrefillTokens, 640, 'queued prefill is always our own count');
});

test('a queueing engine keeps its batch size; completions drain the queue first', () => {
  const { fleet } = setup();
  const replica = fleet.get('a')!;
  fleet.begin(replica, 10);
  fleet.begin(replica, 10);
  // The scrape is sent now (mark), the engine reports a full batch of 3 (KV-bound, below maxRunning) and 2 waiting.
  const mark = replica.mark();
  fleet.begin(replica, 10);
  replica.observe({ running: 3, waiting: 2, kvUsage: 1 }, mark);
  let state = replica.refresh(1000);
  assert.deepEqual([state.running, state.waiting], [3, 3], 'the request sent after the mark is added to the queue');
  assert.equal(state.kvUsage, 1, 'never above 1');
  fleet.end(replica, 10, false, { kind: 'success' });
  fleet.end(replica, 10, false, { kind: 'success' });
  state = replica.refresh(1000);
  assert.deepEqual([state.running, state.waiting], [3, 1]);
  for (let i = 0; i < 5; i++) fleet.end(replica, 10, false, { kind: 'success' });
  state = replica.refresh(1000);
  assert.deepEqual([state.running, state.waiting], [0, 0], 'never below zero');
});

test('engine numbers older than staleAfterMs give way to our own in-flight accounting', () => {
  const { fleet, clock } = setup();
  const replica = fleet.get('a')!;
  replica.staleAfterMs = 2000;
  assert.equal(replica.isStale(), true, 'expected metrics and none yet: stale');
  replica.observe({ running: 7, waiting: 3, kvUsage: 0.2 });
  fleet.begin(replica, 10);
  assert.equal(replica.isStale(), false);
  assert.deepEqual([replica.refresh(clock.now()).running, replica.state.waiting], [7, 4], 'the engine was queueing: the new one waits');
  clock.advance(2001);
  assert.equal(replica.isStale(), true);
  assert.deepEqual([replica.refresh(clock.now()).running, replica.state.waiting], [1, 0], 'only our one request');
  replica.observe({ running: 2, waiting: 0 });
  assert.equal(replica.refresh(clock.now()).running, 2);
  replica.observe(undefined);
  assert.equal(replica.refresh(clock.now()).running, 1, 'observe(undefined) falls back at once');
});

test('a failing health check takes a replica out of routing and readiness', () => {
  const { fleet } = setup();
  const replica = fleet.get('a')!;
  assert.equal(fleet.anyHealthy(), true);
  replica.probe = 'down';
  assert.equal(replica.refresh(0).healthy, false);
  assert.equal(fleet.anyHealthy(), false);
  replica.probe = 'up';
  assert.equal(replica.refresh(0).healthy, true);
});

test('the precise prefix index is offered to policies only when every candidate is in sync', () => {
  const clock = manualClock();
  const fleet = new Fleet([replicaSpec('a'), replicaSpec('b')], BREAKER, clock);
  const candidates = fleet.candidates(['p'], new Set());
  assert.equal(fleet.view(0, candidates).prefix, undefined);
  fleet.get('a')!.kvSynced = true;
  assert.equal(fleet.view(0, candidates).prefix, undefined);
  fleet.get('b')!.kvSynced = true;
  assert.equal(fleet.view(0, candidates).prefix, fleet.livePrefix);
});

test('a burst within one scrape interval spreads instead of piling onto the replica that looked idle', () => {
  const clock = manualClock(0);
  const fleet = new Fleet([replicaSpec('a', { maxRunning: 64 }), replicaSpec('b', { maxRunning: 64 })], BREAKER, clock);
  fleet.get('a')!.observe({ running: 3, waiting: 0 });
  fleet.get('b')!.observe({ running: 0, waiting: 0 });
  const policy = new LeastLoadedPolicy();
  const counts = new Map<string, number>();
  for (let i = 0; i < 6; i++) {
    const candidates = fleet.candidates(['p'], new Set());
    const decision = policy.decide({} as RequestFeatures, fleet.view(clock.now(), candidates));
    assert.equal(decision.kind, 'route');
    const id = (decision as { replicaId: string }).replicaId;
    fleet.begin(fleet.get(id)!, 100);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  // b fills up to a's level (3), then they alternate: 4 and 2. On the scraped numbers alone b takes all 6.
  assert.deepEqual([counts.get('a'), counts.get('b')], [2, 4]);
});
