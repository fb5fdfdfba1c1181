import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet } from './fleet.js';
import { CONFIRM_AFTER_MS, CONFIRM_WINDOW } from './live-prefix.js';
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

test('a pool whose engines never store the blocks the gateway hashes stops getting the precise index; one confirmation restores it', () => {
  const clock = manualClock(0);
  const fleet = new Fleet([replicaSpec('a')], { failureThreshold: 3, cooldownMs: 1000 }, clock);
  const a = fleet.get('a')!;
  a.kvSynced = true;
  const candidates = fleet.candidates(['p'], new Set());
  const changes: Array<[string, boolean]> = [];
  fleet.livePrefix.onTrustChange = (pool, trusted) => changes.push([pool, trusted]);
  assert.equal(fleet.view(0, candidates).prefix, fleet.livePrefix, 'trusted until shown otherwise');
  // Sixteen requests whose hashes the engine never reports (another chat template, say).
  for (let i = 0; i < CONFIRM_WINDOW; i++) fleet.begin(a, 64, { blockHashes: [1000 + i, 2000 + i] });
  clock.advance(CONFIRM_AFTER_MS - 1);
  assert.equal(fleet.livePrefix.trusted('p'), true, 'not yet due');
  clock.advance(1);
  assert.equal(fleet.livePrefix.trusted('p'), false);
  assert.equal(fleet.view(clock.now(), candidates).prefix, undefined, 'policies fall back to their approximate index');
  assert.equal(fleet.livePrefix.unconfirmed, CONFIRM_WINDOW);

  // A request whose first block the engine does report.
  fleet.begin(a, 64, { blockHashes: [77, 78] });
  fleet.prefix.applyEngineEvent('a', { type: 'kv-stored', atMs: 0, hashes: [77, 78], parentHash: null });
  clock.advance(CONFIRM_AFTER_MS);
  assert.equal(fleet.livePrefix.trusted('p'), true);
  assert.equal(fleet.livePrefix.confirmed, 1);
  assert.equal(fleet.view(clock.now(), candidates).prefix, fleet.livePrefix);
  assert.deepEqual(changes, [
    ['p', false],
    ['p', true],
  ]);
});
