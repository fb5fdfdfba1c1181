import type { PrefixLookup } from '../../spec/routing.js';
import { LruSet } from './lru-set.js';
import { PrefixHolders } from './prefix-holders.js';

/**
 * The approximate prefix index: what the router itself sent where. llm-d's `approx-prefix-cache-producer`
 * (reference/scheduling.md §1.4) records the block hashes of every routed prompt against the chosen pod in
 * a per-pod LRU sized to the pod's KV blocks (`num_gpu_blocks`), and matches a new prompt by walking its
 * hash chain. We do the same on the request's chained `blockHashes`.
 *
 * Why the blocks are touched tail first: an engine's prefix cache frees a sequence's blocks tail first, so
 * a shared head outlives the tails that hang off it. Touching the tail first leaves the head most
 * recently used, so our LRU also evicts tails before heads and stays (nearly) prefix-closed.
 */
export class ApproximatePrefixIndex implements PrefixLookup {
  readonly #holders = new PrefixHolders();
  /** Per replica slot: the hashes it is believed to hold, in LRU order. */
  readonly #lru: LruSet[] = [];
  /** Default capacity in hashed blocks when a record names none (llm-d's 31,250 16-token blocks). */
  readonly #defaultCapacity: number;

  constructor(defaultCapacityBlocks = 31_250) {
    this.#defaultCapacity = defaultCapacityBlocks;
  }

  /**
   * Records that `hashes` were sent to `replicaId`, evicting least recently used blocks beyond
   * `capacityBlocks` (the replica's KV capacity in units of these hashes' blocks).
   */
  record(replicaId: string, hashes: readonly number[], capacityBlocks = this.#defaultCapacity): void {
    if (hashes.length === 0) return;
    const slot = this.#holders.slotOf(replicaId);
    const capacity = Math.max(1, Math.floor(capacityBlocks));
    let lru = this.#lru[slot];
    if (lru === undefined) {
      lru = new LruSet(capacity);
      this.#lru[slot] = lru;
    }
    if (lru.capacity !== capacity) {
      lru.capacity = capacity;
      for (let oldest = lru.size > capacity ? lru.evictOldest() : undefined; oldest !== undefined; oldest = lru.size > capacity ? lru.evictOldest() : undefined) {
        this.#holders.remove(oldest, slot);
      }
    }
    for (let i = hashes.length - 1; i >= 0; i--) {
      const hash = hashes[i] as number;
      const { inserted, evicted } = lru.touch(hash);
      if (evicted !== undefined) this.#holders.remove(evicted, slot);
      if (inserted) this.#holders.add(hash, slot);
    }
  }

  matchedBlocks(replicaId: string, hashes: readonly number[]): number {
    return this.#holders.matched(replicaId, hashes);
  }

  /** Blocks remembered for the replica (SGLang's "tree size"). */
  size(replicaId: string): number {
    const slot = this.#holders.existingSlot(replicaId);
    return slot === undefined ? 0 : (this.#lru[slot]?.size ?? 0);
  }

  /** Forgets a replica (it left the fleet or restarted with an empty cache). */
  clear(replicaId: string): void {
    const slot = this.#holders.existingSlot(replicaId);
    if (slot === undefined) return;
    const lru = this.#lru[slot];
    if (lru === undefined) return;
    for (const hash of lru.keys()) this.#holders.remove(hash, slot);
    lru.clear();
  }
}
