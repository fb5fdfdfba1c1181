/**
 * Paged KV blocks with a prefix cache, vLLM v1's KVCacheManager in aggregate form.
 *
 * Blocks are counted, not materialised: a request's private blocks are a number; the prefix cache is a map
 * from a block hash (the request's chained `blockHashes`) to an entry that owns `blocks` KV blocks (a hash
 * block of hashBlockTokens tokens occupies hashBlockTokens / blockSize KV blocks). An entry referenced by a
 * running request is pinned; at refCount 0 it joins an LRU list of free cached blocks, still hittable, and is
 * evicted from the head when fresh blocks are needed (vLLM's free-block queue). Released requests append their
 * entries in reverse order, so a prefix's tail is evicted before its root (as vLLM frees blocks).
 */
export interface CacheEntry {
  hash: number;
  parent: number | null;
  blocks: number;
  refCount: number;
  prev: CacheEntry | null;
  next: CacheEntry | null;
}

export class KvPool {
  readonly totalBlocks: number;
  /** Blocks held by running requests: their private blocks plus pinned cache entries. */
  used = 0;
  /** Blocks of unreferenced cache entries (evictable, still hittable). */
  cachedFree = 0;
  private readonly entries = new Map<number, CacheEntry>();
  private head: CacheEntry | null = null;
  private tail: CacheEntry | null = null;
  /** Hashes evicted since the caller last drained it (for kv-removed events); null when not recording. */
  evicted: number[] | null;

  constructor(totalBlocks: number, recordEvictions: boolean) {
    this.totalBlocks = totalBlocks;
    this.evicted = recordEvictions ? [] : null;
  }

  get free(): number {
    return this.totalBlocks - this.used - this.cachedFree;
  }

  /** Blocks obtainable right now: free plus evictable. */
  get available(): number {
    return this.totalBlocks - this.used;
  }

  get cachedEntries(): number {
    return this.entries.size;
  }

  has(hash: number): boolean {
    return this.entries.has(hash);
  }

  /** Leading run of `hashes[0..limit)` present in the cache. */
  lookup(hashes: readonly number[], limit: number): number {
    let n = 0;
    while (n < limit && this.entries.has(hashes[n] as number)) n++;
    return n;
  }

  /** Blocks that acquiring `hashes[0..count)` would take out of the evictable pool. */
  revivalCost(hashes: readonly number[], count: number): number {
    let cost = 0;
    for (let i = 0; i < count; i++) {
      const e = this.entries.get(hashes[i] as number);
      if (e && e.refCount === 0) cost += e.blocks;
    }
    return cost;
  }

  /** References the cached entries `hashes[0..count)` (all must be present: call after `lookup`). */
  acquire(hashes: readonly number[], count: number): void {
    for (let i = 0; i < count; i++) this.ref(this.entries.get(hashes[i] as number) as CacheEntry);
  }

  private ref(e: CacheEntry): void {
    if (e.refCount++ === 0) {
      this.unlink(e);
      this.cachedFree -= e.blocks;
      this.used += e.blocks;
    }
  }

  /**
   * A request finished computing the hash block `hash`, held as `blocks` private blocks. They become a cache
   * entry referenced by the request; if the hash is already cached (computed concurrently by another
   * request), the request references that entry and its duplicate blocks are freed. Returns true when a new
   * entry was stored (a BlockStored event).
   */
  store(hash: number, parent: number | null, blocks: number): boolean {
    const existing = this.entries.get(hash);
    if (existing) {
      this.ref(existing);
      this.used -= blocks;
      return false;
    }
    this.entries.set(hash, { hash, parent, blocks, refCount: 1, prev: null, next: null });
    return true;
  }

  /** Drops the request's references to `hashes[0..count)`, tail first, so roots outlive their tails. */
  release(hashes: readonly number[], count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      const e = this.entries.get(hashes[i] as number);
      if (!e) continue;
      if (--e.refCount === 0) {
        this.used -= e.blocks;
        this.cachedFree += e.blocks;
        this.append(e);
      }
    }
  }

  /** Takes `n` fresh blocks, evicting LRU cache entries as needed. False (and nothing taken) if impossible. */
  allocate(n: number): boolean {
    if (n <= 0) return true;
    if (n > this.available) return false;
    while (this.free < n) this.evictOne();
    this.used += n;
    return true;
  }

  freeBlocks(n: number): void {
    this.used -= n;
  }

  private evictOne(): void {
    const e = this.head as CacheEntry;
    this.unlink(e);
    this.entries.delete(e.hash);
    this.cachedFree -= e.blocks;
    if (this.evicted) this.evicted.push(e.hash);
  }

  private append(e: CacheEntry): void {
    e.prev = this.tail;
    e.next = null;
    if (this.tail) this.tail.next = e;
    else this.head = e;
    this.tail = e;
  }

  private unlink(e: CacheEntry): void {
    if (e.prev) e.prev.next = e.next;
    else if (this.head === e) this.head = e.next;
    if (e.next) e.next.prev = e.prev;
    else if (this.tail === e) this.tail = e.prev;
    e.prev = e.next = null;
  }
}
