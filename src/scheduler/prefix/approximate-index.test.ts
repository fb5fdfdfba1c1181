import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApproximatePrefixIndex } from './approximate-index.js';

describe('approximate prefix index', () => {
  test('matches the longest run of leading blocks recorded for each replica', () => {
    const index = new ApproximatePrefixIndex();
    index.record('a', [1, 2, 3, 4]);
    index.record('b', [1, 2, 9]);
    const prompt = [1, 2, 3, 7];
    assert.equal(index.matchedBlocks('a', prompt), 3);
    assert.equal(index.matchedBlocks('b', prompt), 2);
    assert.equal(index.matchedBlocks('c', prompt), 0);
    assert.equal(index.matchedBlocks('a', []), 0);
  });

  test('a block held without its predecessors does not count (the match is a prefix)', () => {
    const index = new ApproximatePrefixIndex();
    index.record('a', [5, 6]);
    assert.equal(index.matchedBlocks('a', [1, 6]), 0);
    assert.equal(index.matchedBlocks('a', [5, 6, 7]), 2);
  });

  test('evicts least recently used blocks beyond capacity, tails before the shared head', () => {
    const index = new ApproximatePrefixIndex();
    index.record('a', [1, 2, 3], 4);
    index.record('a', [1, 10, 11], 4); // 5 distinct blocks > 4: the oldest tail (3) goes
    assert.equal(index.size('a'), 4);
    assert.equal(index.matchedBlocks('a', [1, 2, 3]), 2);
    assert.equal(index.matchedBlocks('a', [1, 10, 11]), 3);
    index.record('a', [20, 21, 22], 4); // three more: the tails 2, 11, 10 go, the head 1 (touched last) stays
    assert.equal(index.matchedBlocks('a', [1, 2]), 1);
    assert.equal(index.matchedBlocks('a', [1, 10]), 1);
    assert.equal(index.matchedBlocks('a', [20, 21, 22]), 3);
  });

  test('answers stay right when the index changes between questions on the same array', () => {
    const index = new ApproximatePrefixIndex();
    const prompt = [1, 2, 3];
    assert.equal(index.matchedBlocks('a', prompt), 0);
    index.record('a', [1, 2]);
    assert.equal(index.matchedBlocks('a', prompt), 2);
    index.clear('a');
    assert.equal(index.matchedBlocks('a', prompt), 0);
    assert.equal(index.size('a'), 0);
  });
});
