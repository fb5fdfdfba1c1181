import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeStepTimeMs, prefillTimeMs } from '../engine/index.js';
import { decodeStepMs, ownPrefillMs, ReplicaModels } from './estimates.js';
import { replicaState } from './testing.js';

test('estimates are the engine roofline, per replica hardware, and unknown profiles give no model', () => {
  const models = new ReplicaModels();
  const h100 = models.get(replicaState('a', { hardware: 'h100-sxm', modelProfile: 'llama-3.1-8b' }));
  const l40s = models.get(replicaState('b', { hardware: 'l40s', modelProfile: 'llama-3.1-8b' }));
  assert.ok(h100 !== null && l40s !== null);
  for (const [uncached, cached] of [[1, 0], [3000, 0], [20_000, 4096], [100_000, 0]] as const) {
    assert.equal(ownPrefillMs(h100, uncached, cached), prefillTimeMs(h100.spec, uncached, cached));
  }
  assert.equal(decodeStepMs(l40s, 32, 64_000), decodeStepTimeMs(l40s.spec, 32, 64_000));
  assert.ok(ownPrefillMs(l40s, 12_000, 0) > 3 * ownPrefillMs(h100, 12_000, 0), 'an L40S prefills >3× slower');
  assert.ok(h100.msPerQueuedPrefillToken > 0 && h100.kvTokens === 10_000 * 16);
  assert.equal(models.get(replicaState('c', { hardware: 'external' })), null);
  assert.equal(models.get(replicaState('d', { hardware: 'h100-sxm', modelProfile: 'no-such-model' })), null);
  // By position, while the same state object comes back.
  const state = replicaState('e', { hardware: 'trainium2', modelProfile: 'llama-3.1-8b' });
  const trn2 = models.at(0, state);
  assert.equal(models.at(0, state), trn2);
  assert.equal(models.at(0, replicaState('a', { hardware: 'h100-sxm', modelProfile: 'llama-3.1-8b' })), h100);
  // Cached per replica until its shape changes.
  assert.equal(models.get(replicaState('a', { hardware: 'h100-sxm', modelProfile: 'llama-3.1-8b', running: 9 })), h100);
  assert.notEqual(models.get(replicaState('a', { hardware: 'l40s', modelProfile: 'llama-3.1-8b' })), h100);
});
