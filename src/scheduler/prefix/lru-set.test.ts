import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruSet } from './lru-set.js';

test('LRU set: touch refreshes, overflow evicts the least recently used, storage grows past its first chunk', () => {
  const lru = new LruSet(3);
  assert.deepEqual(lru.touch(1), { inserted: true, evicted: undefined });
  lru.touch(2);
  lru.touch(3);
  assert.deepEqual(lru.touch(1), { inserted: false, evicted: undefined });
  assert.deepEqual(lru.touch(4), { inserted: true, evicted: 2 });
  assert.equal(lru.size, 3);
  assert.ok(lru.has(1) && lru.has(3) && lru.has(4) && !lru.has(2));
  assert.equal(lru.delete(3), true);
  assert.equal(lru.evictOldest(), 1);
  assert.equal(lru.evictOldest(), 4);
  assert.equal(lru.evictOldest(), undefined);

  const big = new LruSet(5000);
  for (let i = 0; i < 6000; i++) big.touch(i * 7.5e9); // keys beyond 32 bits, as 53-bit block hashes are
  assert.equal(big.size, 5000);
  assert.ok(!big.has(999 * 7.5e9) && big.has(1000 * 7.5e9));
  big.clear();
  assert.equal(big.size, 0);
});
