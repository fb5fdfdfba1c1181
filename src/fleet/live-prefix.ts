import type { PrefixLookup } from '../spec/routing.js';
import type { PrecisePrefixIndex } from '../scheduler/prefix/precise-index.js';

/** llm-d's speculative entries live 2 s (reference/scheduling.md §1.5). */
export const SPECULATIVE_TTL_MS = 2_000;
const SWEEP_EVERY = 4_096;

/**
 * What policies ask about cached prefixes when KV events are live: the engine's word (the precise index),
 * plus speculative entries for requests this gateway just dispatched. A KV event arrives only after the
 * engine has prefilled and stored the blocks — tens to hundreds of ms after the routing decision — so
 * without them a burst sharing one prefix would be spread before the first event says where the prefix
 * went. llm-d's precise scorer does the same ("speculative indexing": predicted entries written on the
 * routing decision, expiring after 2 s), after which only what the engine reported counts.
 */
export class LivePrefixLookup implements PrefixLookup {
  /** replica → block hash → expiry (clock ms). */
  readonly #speculative = new Map<string, Map<number, number>>();
  #inserts = 0;

  constructor(
    readonly precise: PrecisePrefixIndex,
    private readonly now: () => number,
    readonly ttlMs = SPECULATIVE_TTL_MS,
  ) {}

  /** The request was sent to the replica: its blocks are expected there shortly. */
  speculate(replicaId: string, hashes: readonly number[]): void {
    if (hashes.length === 0 || this.ttlMs <= 0) return;
    let entries = this.#speculative.get(replicaId);
    if (entries === undefined) {
      entries = new Map();
      this.#speculative.set(replicaId, entries);
    }
    const expires = this.now() + this.ttlMs;
    for (const hash of hashes) entries.set(hash, expires);
    this.#inserts += hashes.length;
    if (this.#inserts >= SWEEP_EVERY) this.#sweep();
  }

  /** Drops a replica's speculative entries (its cache was dropped: restart, gap). */
  forget(replicaId: string): void {
    this.#speculative.delete(replicaId);
  }

  matchedBlocks(replicaId: string, hashes: readonly number[]): number {
    const held = this.precise.matchedBlocks(replicaId, hashes);
    const entries = this.#speculative.get(replicaId);
    if (entries === undefined || entries.size === 0) return held;
    // The union of the two is a prefix too: precise blocks [0, held), then any run the speculation covers.
    const now = this.now();
    let k = held;
    while (k < hashes.length) {
      const expires = entries.get(hashes[k] as number);
      if (expires === undefined || expires <= now) break;
      k++;
    }
    return k;
  }

  #sweep(): void {
    this.#inserts = 0;
    const now = this.now();
    for (const [replica, entries] of this.#speculative) {
      for (const [hash, expires] of entries) if (expires <= now) entries.delete(hash);
      if (entries.size === 0) this.#speculative.delete(replica);
    }
  }
}
