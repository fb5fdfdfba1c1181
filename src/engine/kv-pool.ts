/**
 * Paged KV blocks with a prefix cache, vLLM v1's KVCacheManager in aggregate form.
 *
 * Blocks are counted, not materialised: a request's private blocks are a number; the prefix cache maps a
 * block hash (the request's chained `blockHashes`) to an entry owning `blocks` KV blocks (a hash block of
 * hashBlockTokens tokens occupies hashBlockTokens / blockSize KV blocks). An entry referenced by a running
 * request is pinned; at refCount 0 it joins an LRU list of free cached blocks, still hittable, and is evicted
 * from the head when fresh blocks are needed (vLLM's free-block queue). Released requests append their
 * entries tail first, so a prefix's tail is evicted before its root (vLLM frees blocks in reverse order).
 *
 * Performance: this is the engine's hottest code (a 1,000-token prompt has 62 hash blocks of 16 tokens), so
 * entries live in typed arrays indexed by entry id, and hashes (53-bit numbers, not V8 small integers) are
 * found through an open-addressing table of Float64 keys: no allocation per entry, nothing for the GC.
 */
const NONE = -1;

export class KvPool {
  readonly totalBlocks: number;
  /** Blocks held by running requests: their private blocks plus pinned cache entries. */
  used = 0;
  /** Blocks of unreferenced cache entries (evictable, still hittable). */
  cachedFree = 0;
  /** Hashes evicted since the caller last drained it (for kv-removed events); null when not recording. */
  evicted: number[] | null;
  /** Whether the last `store` created a new entry (a BlockStored event). */
  storedNew = false;
  /** Bumped whenever the set of cached hashes changes (insert or evict), so callers can reuse lookups. */
  version = 0;

  // Entries, by id.
  private hash = new Float64Array(64);
  private blocks = new Int32Array(64);
  private refs = new Int32Array(64);
  private prev = new Int32Array(64);
  private next = new Int32Array(64);
  private freeIds = new Int32Array(64);
  private freeIdCount = 0;
  private idCount = 0;
  private head = NONE;
  private tail = NONE;
  private live = 0;

  // Open-addressing table (linear probing, backward-shift deletion): key hash -> entry id.
  private keys = new Float64Array(1024);
  private slots = new Int32Array(1024).fill(NONE);
  private mask = 1023;

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
    return this.live;
  }

  has(hash: number): boolean {
    return this.find(hash) !== NONE;
  }

  /** Leading run of `hashes[0..limit)` present in the cache. */
  lookup(hashes: readonly number[], limit: number): number {
    let n = 0;
    while (n < limit && this.find(hashes[n] as number) !== NONE) n++;
    return n;
  }

  /** Blocks that acquiring `hashes[0..count)` would take out of the evictable pool. */
  revivalCost(hashes: readonly number[], count: number): number {
    let cost = 0;
    for (let i = 0; i < count; i++) {
      const id = this.find(hashes[i] as number);
      if (id !== NONE && this.refs[id] === 0) cost += this.blocks[id] as number;
    }
    return cost;
  }

  /** References the cached entries `hashes[0..count)` (present: call after `lookup`), ids into `ids`. */
  acquire(hashes: readonly number[], count: number, ids: Int32Array): void {
    for (let i = 0; i < count; i++) {
      const id = this.find(hashes[i] as number);
      ids[i] = id;
      this.ref(id);
    }
  }

  private ref(id: number): void {
    if ((this.refs[id] as number) === 0) {
      this.unlink(id);
      const b = this.blocks[id] as number;
      this.cachedFree -= b;
      this.used += b;
    }
    (this.refs[id] as number)++;
  }

  /**
   * A request finished computing hash block `hash`, held as `blocks` private blocks. They become a cache entry
   * referenced by the request; if the hash is already cached (computed concurrently by another request), the
   * request references that entry and its duplicate blocks are freed. Returns the entry id.
   */
  store(hash: number, blocks: number): number {
    const existing = this.find(hash);
    if (existing !== NONE) {
      this.ref(existing);
      this.used -= blocks;
      this.storedNew = false;
      return existing;
    }
    const id = this.newId();
    this.hash[id] = hash;
    this.blocks[id] = blocks;
    this.refs[id] = 1;
    this.prev[id] = this.next[id] = NONE;
    this.insert(hash, id);
    this.version++;
    this.storedNew = true;
    return id;
  }

  /** Drops references to entries `ids[0..count)`, tail first, so roots outlive their tails. */
  release(ids: Int32Array, count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      const id = ids[i] as number;
      if (--(this.refs[id] as number) === 0) {
        const b = this.blocks[id] as number;
        this.used -= b;
        this.cachedFree += b;
        this.append(id);
      }
    }
  }

  /** Takes `n` fresh blocks, evicting LRU cache entries as needed. False (and nothing taken) if impossible. */
  allocate(n: number): boolean {
    if (n <= 0) return true;
    if (n > this.totalBlocks - this.used) return false;
    while (this.totalBlocks - this.used - this.cachedFree < n) this.evictOne();
    this.used += n;
    return true;
  }

  freeBlocks(n: number): void {
    this.used -= n;
  }

  /**
   * Empties the prefix cache when no block is in use (vLLM's BlockPool.reset_prefix_cache refuses
   * otherwise). Evictions are not recorded one by one: the caller reports one "all cleared" instead.
   */
  resetPrefixCache(): boolean {
    if (this.used > 0) return false;
    this.slots.fill(NONE);
    this.head = this.tail = NONE;
    this.cachedFree = 0;
    this.live = 0;
    this.idCount = 0;
    this.freeIdCount = 0;
    this.version++;
    return true;
  }

  private evictOne(): void {
    const id = this.head;
    this.unlink(id);
    const h = this.hash[id] as number;
    this.remove(h);
    this.version++;
    this.cachedFree -= this.blocks[id] as number;
    this.freeIds[this.freeIdCount++] = id;
    this.live--;
    if (this.evicted) this.evicted.push(h);
  }

  private append(id: number): void {
    this.prev[id] = this.tail;
    this.next[id] = NONE;
    if (this.tail !== NONE) this.next[this.tail] = id;
    else this.head = id;
    this.tail = id;
  }

  private unlink(id: number): void {
    const p = this.prev[id] as number;
    const n = this.next[id] as number;
    if (p !== NONE) this.next[p] = n;
    else if (this.head === id) this.head = n;
    if (n !== NONE) this.prev[n] = p;
    else if (this.tail === id) this.tail = p;
    this.prev[id] = this.next[id] = NONE;
  }

  private newId(): number {
    this.live++;
    if (this.freeIdCount > 0) return this.freeIds[--this.freeIdCount] as number;
    if (this.idCount === this.hash.length) this.growEntries();
    return this.idCount++;
  }

  private growEntries(): void {
    const size = this.hash.length * 2;
    const grow = <A extends Float64Array | Int32Array>(a: A, make: (n: number) => A): A => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.hash = grow(this.hash, (n) => new Float64Array(n));
    this.blocks = grow(this.blocks, (n) => new Int32Array(n));
    this.refs = grow(this.refs, (n) => new Int32Array(n));
    this.prev = grow(this.prev, (n) => new Int32Array(n));
    this.next = grow(this.next, (n) => new Int32Array(n));
    this.freeIds = grow(this.freeIds, (n) => new Int32Array(n));
  }

  private slotOf(h: number): number {
    // Mix both halves of the 53-bit hash (test and trace hashes can be small sequential integers).
    const lo = h >>> 0;
    const hi = (h / 4294967296) >>> 0;
    let x = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    x ^= x >>> 15;
    return x & this.mask;
  }

  private find(h: number): number {
    let i = this.slotOf(h);
    for (;;) {
      const id = this.slots[i] as number;
      if (id === NONE) return NONE;
      if (this.keys[i] === h) return id;
      i = (i + 1) & this.mask;
    }
  }

  private insert(h: number, id: number): void {
    if (2 * this.live > this.mask) this.rehash();
    let i = this.slotOf(h);
    while (this.slots[i] !== NONE) i = (i + 1) & this.mask;
    this.keys[i] = h;
    this.slots[i] = id;
  }

  private remove(h: number): void {
    const mask = this.mask;
    let i = this.slotOf(h);
    while (this.keys[i] !== h || this.slots[i] === NONE) i = (i + 1) & mask;
    // Backward-shift deletion keeps probe chains intact without tombstones.
    let j = i;
    for (;;) {
      this.slots[i] = NONE;
      for (;;) {
        j = (j + 1) & mask;
        if (this.slots[j] === NONE) return;
        const home = this.slotOf(this.keys[j] as number);
        // Move j back to i unless its home lies cyclically in (i, j].
        if (i <= j ? home <= i || home > j : home <= i && home > j) break;
      }
      this.keys[i] = this.keys[j] as number;
      this.slots[i] = this.slots[j] as number;
      i = j;
    }
  }

  private rehash(): void {
    const oldKeys = this.keys;
    const oldSlots = this.slots;
    const size = oldSlots.length * 2;
    this.keys = new Float64Array(size);
    this.slots = new Int32Array(size).fill(NONE);
    this.mask = size - 1;
    for (let i = 0; i < oldSlots.length; i++) {
      const id = oldSlots[i] as number;
      if (id === NONE) continue;
      let k = this.slotOf(oldKeys[i] as number);
      while (this.slots[k] !== NONE) k = (k + 1) & this.mask;
      this.keys[k] = oldKeys[i] as number;
      this.slots[k] = id;
    }
  }
}
