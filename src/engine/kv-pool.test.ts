import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KvPool } from './kv-pool.js';

/** A plain reference model of the pool: Map + array LRU, written for clarity, not speed. */
class Reference {
  used = 0;
  cachedFree = 0;
  entries = new Map<number, { blocks: number; refs: number }>();
  lru: number[] = [];
  constructor(readonly total: number) {}
  find(h: number): boolean {
    return this.entries.has(h);
  }
  ref(h: number): void {
    const e = this.entries.get(h)!;
    if (e.refs++ === 0) {
      this.lru.splice(this.lru.indexOf(h), 1);
      this.cachedFree -= e.blocks;
      this.used += e.blocks;
    }
  }
  store(h: number, blocks: number): void {
    if (this.entries.has(h)) {
      this.ref(h);
      this.used -= blocks;
    } else this.entries.set(h, { blocks, refs: 1 });
  }
  release(hs: number[]): void {
    for (let i = hs.length - 1; i >= 0; i--) {
      const e = this.entries.get(hs[i]!)!;
      if (--e.refs === 0) {
        this.used -= e.blocks;
        this.cachedFree += e.blocks;
        this.lru.push(hs[i]!);
      }
    }
  }
  allocate(n: number): number[] | null {
    if (n > this.total - this.used) return null;
    const evicted: number[] = [];
    while (this.total - this.used - this.cachedFree < n) {
      const h = this.lru.shift()!;
      this.cachedFree -= this.entries.get(h)!.blocks;
      this.entries.delete(h);
      evicted.push(h);
    }
    this.used += n;
    return evicted;
  }
}

describe('KvPool', () => {
  test('matches a reference model over a long random run (hash table growth, eviction, collisions)', () => {
    let x = 7;
    const rnd = (n: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % n;
    };
    const total = 3000;
    const pool = new KvPool(total, true);
    const ref = new Reference(total);
    // Hashes from a small universe (many repeats), with small and 53-bit values mixed.
    const universe = Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? i : i * 2654435761 * 1021 + 17) % 2 ** 53);
    const held: { hashes: number[]; ids: Int32Array; priv: number }[] = [];
    for (let step = 0; step < 40_000; step++) {
      const op = rnd(10);
      if (op < 5) {
        // A request: hits on a leading run, then stores the rest one by one.
        const len = 1 + rnd(12);
        const start = rnd(universe.length - len);
        const hashes = universe.slice(start, start + len);
        const hits = pool.lookup(hashes, len);
        let refHits = 0;
        while (refHits < len && ref.find(hashes[refHits]!)) refHits++;
        assert.equal(hits, refHits);
        const ids = new Int32Array(len);
        pool.acquire(hashes, hits, ids);
        for (let i = 0; i < hits; i++) ref.ref(hashes[i]!);
        const fresh = (len - hits) * 2;
        const before = pool.evicted!.length;
        const ok = pool.allocate(fresh);
        const refEvicted = ref.allocate(fresh);
        assert.equal(ok, refEvicted !== null);
        if (!ok) {
          pool.release(ids, hits);
          ref.release(hashes.slice(0, hits));
          continue;
        }
        assert.deepEqual(pool.evicted!.slice(before), refEvicted);
        for (let i = hits; i < len; i++) {
          ids[i] = pool.store(hashes[i]!, 2);
          ref.store(hashes[i]!, 2);
        }
        held.push({ hashes, ids, priv: 0 });
      } else if (held.length > 0) {
        const k = rnd(held.length);
        const h = held[k]!;
        held.splice(k, 1);
        pool.release(h.ids, h.hashes.length);
        ref.release(h.hashes);
      }
      assert.equal(pool.used, ref.used);
      assert.equal(pool.cachedFree, ref.cachedFree);
      assert.equal(pool.cachedEntries, ref.entries.size);
    }
    for (const h of universe) assert.equal(pool.has(h), ref.find(h));
    assert.ok(pool.evicted!.length > 1000, 'the run must exercise eviction');
  });

  test('allocation beyond free + evictable fails and takes nothing', () => {
    const pool = new KvPool(10, false);
    assert.equal(pool.allocate(8), true);
    assert.equal(pool.allocate(3), false);
    assert.equal(pool.used, 8);
    pool.freeBlocks(8);
    assert.equal(pool.available, 10);
  });
});

test('resetPrefixCache: refused while any block is held; then the cache is empty and fills again', () => {
  const pool = new KvPool(100, true);
  const ids = new Int32Array(8);
  // A request holds three cached blocks while it runs.
  assert.ok(pool.allocate(3));
  for (let i = 0; i < 3; i++) ids[i] = pool.store(1000 + i, 1);
  assert.equal(pool.resetPrefixCache(), false, 'blocks in use: refused, as vLLM refuses');
  assert.equal(pool.lookup([1000, 1001, 1002], 3), 3);
  pool.release(ids, 3);
  assert.equal(pool.cachedFree, 3);
  assert.equal(pool.resetPrefixCache(), true);
  assert.equal(pool.lookup([1000, 1001, 1002], 3), 0);
  assert.deepEqual([pool.used, pool.cachedFree, pool.cachedEntries, pool.free], [0, 0, 0, 100]);
  assert.deepEqual(pool.evicted, [], 'one "all cleared" stands for the evictions');
  // And it works as before afterwards.
  assert.ok(pool.allocate(2));
  ids[0] = pool.store(2000, 1);
  ids[1] = pool.store(1000, 1);
  assert.equal(pool.storedNew, true, 'a hash cached before the reset is new again');
  pool.release(ids, 2);
  assert.equal(pool.lookup([2000], 1), 1);
  assert.equal(pool.cachedFree, 2);
});
