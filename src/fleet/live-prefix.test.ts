import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet } from './fleet.js';
import { manualClock, replicaSpec } from './test-support.js';

test('a request just dispatched counts as cached on its replica until its KV events arrive or 2 s pass', () => {
  const clock = manualClock(0);
  const fleet = new Fleet([replicaSpec('a'), replicaSpec('b')], { failureThreshold: 3, cooldownMs: 1000 }, clock);
  const a = fleet.get('a')!;
  const b = fleet.get('b')!;
  a.kvSynced = true;
  b.kvSynced = true;
  const lookup = fleet.livePrefix;
  const first = [11, 12, 13, 14];
  const second = [11, 12, 13, 99];

  fleet.begin(a, 64, { blockHashes: first });
  assert.equal(lookup.matchedBlocks('a', second), 3, 'speculation covers the shared prefix');
  assert.equal(lookup.matchedBlocks('b', second), 0);

  // The engine reports the first two blocks; speculation extends the run past them.
  fleet.prefix.applyEngineEvent('a', { type: 'kv-stored', atMs: 0, hashes: [11, 12], parentHash: null });
  assert.equal(lookup.matchedBlocks('a', second), 3);

  clock.advance(2_000);
  assert.equal(lookup.matchedBlocks('a', second), 2, 'after the TTL only what the engine reported counts');

  // Replicas whose events are not live get no speculation (the policy's approximate index covers them).
  b.kvSynced = false;
  fleet.begin(b, 64, { blockHashes: first });
  assert.equal(lookup.matchedBlocks('b', first), 0);
});
