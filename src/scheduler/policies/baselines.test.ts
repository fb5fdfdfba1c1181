import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestFeatures } from '../../spec/routing.js';
import { createPolicy, POLICY_NAMES } from '../registry.js';
import { replicaState, requestFeatures } from '../testing.js';

const replica = replicaState;
const request: RequestFeatures = requestFeatures('r1', { promptTokens: 100, maxOutputTokens: 10 });

test('round-robin cycles over healthy replicas', () => {
  const policy = createPolicy('round-robin');
  const replicas = [replica('a'), replica('b', { healthy: false }), replica('c')];
  const picks = Array.from({ length: 4 }, () => {
    const decision = policy.decide(request, { now: 0, replicas });
    return decision.kind === 'route' ? decision.replicaId : decision.kind;
  });
  assert.deepEqual(picks, ['a', 'c', 'a', 'c']);
});

test('least-loaded picks the fewest outstanding, then the least queued prefill', () => {
  const policy = createPolicy('least-loaded');
  const replicas = [
    replica('a', { running: 3, waiting: 1 }),
    replica('b', { running: 2, waiting: 0, pendingPrefillTokens: 500 }),
    replica('c', { running: 1, waiting: 1, pendingPrefillTokens: 100 }),
  ];
  const decision = policy.decide(request, { now: 0, replicas });
  assert.equal(decision.kind === 'route' && decision.replicaId, 'c');
});

test('random is seeded and only picks healthy replicas', () => {
  const replicas = [replica('a'), replica('b', { healthy: false }), replica('c')];
  const run = () => {
    const policy = createPolicy('random', { seed: 9 });
    return Array.from({ length: 20 }, () => {
      const decision = policy.decide(request, { now: 0, replicas });
      return decision.kind === 'route' ? decision.replicaId : '';
    });
  };
  const picks = run();
  assert.deepEqual(picks, run());
  assert.ok(!picks.includes('b'));
  assert.ok(picks.includes('a') && picks.includes('c'));
});

test('every policy rejects with retry-after when nothing is healthy', () => {
  for (const name of POLICY_NAMES) {
    const decision = createPolicy(name).decide(request, { now: 0, replicas: [replica('a', { healthy: false })] });
    assert.equal(decision.kind, 'reject', name);
    assert.ok(decision.kind === 'reject' && decision.retryAfterMs > 0);
  }
  assert.throws(() => createPolicy('nope'), /unknown routing policy "nope"; known: round-robin/);
});
