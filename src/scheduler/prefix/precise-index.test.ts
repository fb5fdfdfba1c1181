import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chainBlockHashes } from '../../util/hash.js';
import { PrecisePrefixIndex } from './precise-index.js';
import { VllmEventError, vllmBatchEvents } from './vllm-events.js';

describe('precise prefix index', () => {
  test('follows Switchyard engine events: stored, removed, cleared', () => {
    const index = new PrecisePrefixIndex();
    index.applyEngineEvent('a', { type: 'kv-stored', atMs: 0, hashes: [1, 2, 3], parentHash: null });
    index.applyEngineEvent('b', { type: 'kv-stored', atMs: 0, hashes: [1], parentHash: null });
    assert.equal(index.matchedBlocks('a', [1, 2, 3, 4]), 3);
    assert.equal(index.matchedBlocks('b', [1, 2, 3, 4]), 1);
    index.applyEngineEvent('a', { type: 'kv-removed', atMs: 1, hashes: [2] });
    assert.equal(index.matchedBlocks('a', [1, 2, 3, 4]), 1, 'a hole ends the prefix');
    index.applyEngineEvent('a', { type: 'kv-cleared', atMs: 2 });
    assert.equal(index.matchedBlocks('a', [1, 2, 3]), 0);
    assert.equal(index.size('a'), 0);
    assert.equal(index.matchedBlocks('b', [1]), 1);
  });

  test('keys vLLM BlockStored blocks by their token ids, so they match the gateway\'s prompt hashes', () => {
    const tokens = Array.from({ length: 64 }, (_, i) => 1000 + i);
    const prompt = chainBlockHashes(tokens, 16); // 4 blocks, what the gateway computes
    const index = new PrecisePrefixIndex();
    // vLLM's own hashes are opaque (here bytes and bigints); the first event carries blocks 0–1, the second 2–3.
    const batch = [
      1731.5,
      [
        ['BlockStored', [Uint8Array.of(0xaa), Uint8Array.of(0xbb)], null, tokens.slice(0, 32), 16, null, 'GPU'],
        ['BlockStored', [3n, 4n], Uint8Array.of(0xbb), tokens.slice(32, 64), 16, null, 'GPU'],
      ],
      0,
    ];
    for (const event of vllmBatchEvents(batch)) index.applyVllmEvent('a', event);
    assert.equal(index.matchedBlocks('a', prompt), 4);
    index.applyVllmEvent('a', ['BlockRemoved', [3n], 'GPU']);
    assert.equal(index.matchedBlocks('a', prompt), 2);
    index.applyVllmEvent('a', { type: 'AllBlocksCleared' });
    assert.equal(index.matchedBlocks('a', prompt), 0);
  });

  test("Switchyard emulator events without token ids key blocks by their (already chained) hashes", () => {
    const tokens = Array.from({ length: 32 }, (_, i) => i);
    const prompt = chainBlockHashes(tokens, 16);
    const index = new PrecisePrefixIndex();
    index.applyVllmEvent('a', { type: 'BlockStored', block_hashes: prompt, parent_block_hash: null, token_ids: [], block_size: 16 });
    assert.equal(index.matchedBlocks('a', prompt), 2);
    index.applyVllmEvent('a', { type: 'BlockRemoved', block_hashes: [prompt[1]] });
    assert.equal(index.matchedBlocks('a', prompt), 1);
  });

  test('blocks whose parent was never announced are counted as orphans, not guessed', () => {
    const index = new PrecisePrefixIndex();
    index.applyVllmEvent('a', { type: 'BlockStored', block_hashes: [7], parent_block_hash: 6, token_ids: [1, 2], block_size: 2 });
    assert.equal(index.orphanBlocks, 1);
    assert.equal(index.size('a'), 0);
  });

  test('malformed events are refused with a message naming the field', () => {
    const index = new PrecisePrefixIndex();
    assert.throws(() => index.applyVllmEvent('a', ['BlockStored', [1], null, 'x', 16]), VllmEventError);
    assert.throws(() => index.applyVllmEvent('a', ['BlockMoved', [1]]), /unknown type "BlockMoved"/);
    assert.throws(() => index.applyVllmEvent('a', 42), /expected an array or object/);
    assert.throws(() => vllmBatchEvents([1]), /no events list/);
  });
});
