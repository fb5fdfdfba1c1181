import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Decision, FleetView, PrefixLookup, RequestFeatures, RoutingPolicy } from '../../spec/routing.js';
import { createPolicy } from '../registry.js';
import { chain, replicaState, requestFeatures } from '../testing.js';

function picked(decision: Decision): string {
  assert.equal(decision.kind, 'route', JSON.stringify(decision));
  return decision.kind === 'route' ? decision.replicaId : '';
}

/** Decides and, on a route, dispatches (the caller's half of the contract: it feeds approximate indexes). */
function place(policy: RoutingPolicy, request: RequestFeatures, fleet: FleetView): string {
  const replica = picked(policy.decide(request, fleet));
  policy.onDispatch?.(request, replica, fleet.now);
  return replica;
}

/** A fixed precise index: replica → blocks held. */
function lookup(held: Record<string, number[]>): PrefixLookup {
  return {
    matchedBlocks(replicaId, hashes) {
      const blocks = held[replicaId] ?? [];
      let n = 0;
      while (n < hashes.length && blocks.includes(hashes[n] as number)) n++;
      return n;
    },
  };
}

const SYSTEM = [1, 2, 3, 4];

describe('llm-d weighted scorer (prefix 3, queue 2, kv 2)', () => {
  test('a full prefix hit outweighs a somewhat longer queue', () => {
    // a: prefix 1.0×3 + queue 0×2 + kv 0.5×2 = 4; b: 0 + 2 + 2×0.9 = 3.8
    const replicas = [replicaState('a', { waiting: 4, kvUsage: 0.5 }), replicaState('b', { waiting: 0, kvUsage: 0.1 })];
    const request = requestFeatures('r', { blockHashes: SYSTEM, promptTokens: 64 });
    const fleet: FleetView = { now: 0, replicas, prefix: lookup({ a: SYSTEM }) };
    assert.equal(picked(createPolicy('llm-d').decide(request, fleet)), 'a');
  });

  test('without a hit, the shorter queue and emptier KV win; an equal queue scores 1 everywhere', () => {
    const replicas = [replicaState('a', { waiting: 3 }), replicaState('b', { waiting: 1 }), replicaState('c', { waiting: 2 })];
    const request = requestFeatures('r', { blockHashes: [9, 10] });
    assert.equal(picked(createPolicy('llm-d').decide(request, { now: 0, replicas })), 'b');
    const even = [replicaState('a', { kvUsage: 0.6 }), replicaState('b', { kvUsage: 0.2 })];
    assert.equal(picked(createPolicy('llm-d').decide(request, { now: 0, replicas: even })), 'b');
  });

  test('its approximate index makes a repeated prompt sticky', () => {
    const policy = createPolicy('llm-d', { seed: 3 });
    const replicas = [replicaState('a'), replicaState('b'), replicaState('c')];
    const prompt = chain(SYSTEM, 100, 8);
    const first = place(policy, requestFeatures('r1', { blockHashes: prompt }), { now: 0, replicas });
    for (let i = 0; i < 5; i++) {
      assert.equal(place(policy, requestFeatures(`r${i + 2}`, { blockHashes: prompt }), { now: 0, replicas }), first);
    }
    // Decisions alone, without dispatches, teach it nothing.
    const forgetful = createPolicy('llm-d', { seed: 3 });
    const picks = new Set(Array.from({ length: 12 }, (_, i) => picked(forgetful.decide(requestFeatures(`f${i}`, { blockHashes: prompt }), { now: 0, replicas }))));
    assert.ok(picks.size > 1);
  });
});

describe('dynamo cost (overlap_weight × prefill_blocks + decode_blocks)', () => {
  test('the documented example shape: lowest of prefill + active blocks wins', () => {
    // 16-token blocks, 160-token prompt = 10 blocks.
    // a: no overlap → prefill 10, active 8 + 10 → 28;  b: 8 cached → prefill 2, active 12 + 10 → 24;
    // c: 4 cached → prefill 6, active 6 + 10 → 22 ⇒ c.
    const replicas = [
      replicaState('a', { kvUsage: 0.08, kvBlocksTotal: 100 }),
      replicaState('b', { kvUsage: 0.12, kvBlocksTotal: 100 }),
      replicaState('c', { kvUsage: 0.06, kvBlocksTotal: 100 }),
    ];
    const prompt = chain([], 1, 10);
    const request = requestFeatures('r', { promptTokens: 160, blockHashes: prompt });
    const fleet: FleetView = { now: 0, replicas, prefix: lookup({ b: prompt.slice(0, 8), c: prompt.slice(0, 4) }) };
    const decision = createPolicy('dynamo').decide(request, fleet);
    assert.equal(picked(decision), 'c');
    assert.match(decision.kind === 'route' ? decision.reason : '', /22/);
  });

  test('queued prefill counts as active blocks', () => {
    const replicas = [replicaState('a', { pendingPrefillTokens: 1600 }), replicaState('b')];
    assert.equal(picked(createPolicy('dynamo').decide(requestFeatures('r'), { now: 0, replicas })), 'b');
  });
});

describe('sglang cache_aware (0.3 / 64 / 1.5)', () => {
  test('a match rate above 0.3 goes to the longest match; below it to the smallest tree', () => {
    const policy = createPolicy('sglang');
    const replicas = [replicaState('a'), replicaState('b')];
    const long = chain(SYSTEM, 100, 4); // 8 blocks
    assert.equal(place(policy, requestFeatures('r1', { blockHashes: long, promptTokens: 128 }), { now: 0, replicas }), 'a');
    // Shares 4 of 8 blocks with a's tree: rate 0.5 > 0.3 → a again, although b's tree is smaller.
    const sibling = chain(SYSTEM, 200, 4);
    assert.equal(place(policy, requestFeatures('r2', { blockHashes: sibling, promptTokens: 128 }), { now: 0, replicas }), 'a');
    // Shares 4 of 20 blocks: rate 0.2 → smallest tree, b.
    const distant = chain(SYSTEM, 300, 16);
    assert.equal(place(policy, requestFeatures('r3', { blockHashes: distant, promptTokens: 320 }), { now: 0, replicas }), 'b');
  });

  test('imbalance (diff > 64 and max > 1.5 × min) overrides the cache', () => {
    const policy = createPolicy('sglang');
    const prompt = chain(SYSTEM, 100, 4);
    const calm = [replicaState('a'), replicaState('b')];
    assert.equal(place(policy, requestFeatures('r1', { blockHashes: prompt, promptTokens: 128 }), { now: 0, replicas: calm }), 'a');
    const busy = [replicaState('a', { running: 100 }), replicaState('b', { running: 30 })];
    assert.equal(place(policy, requestFeatures('r2', { blockHashes: prompt, promptTokens: 128 }), { now: 0, replicas: busy }), 'b');
    // Difference 70 but ratio 170/100 = 1.7 … rel threshold met; difference 60 is not: stays on the cache.
    const close = [replicaState('a', { running: 100 }), replicaState('b', { running: 40 })];
    assert.equal(place(policy, requestFeatures('r3', { blockHashes: prompt, promptTokens: 128 }), { now: 0, replicas: close }), 'a');
  });
});
