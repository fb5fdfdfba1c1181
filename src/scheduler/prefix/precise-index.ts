import type { EngineEvent } from '../../engine/types.js';
import type { PrefixLookup } from '../../spec/routing.js';
import { hashInts } from '../../util/hash.js';
import { PrefixHolders } from './prefix-holders.js';
import { decodeVllmEvent, type VllmBlockHash, type VllmKvEvent } from './vllm-events.js';

/**
 * The precise prefix index: what each replica's engine says it holds, from its KV events (llm-d-kv-cache's
 * indexer and Dynamo's KvIndexer, reference/scheduling.md §1.5 and §2). Keys are Switchyard's chained block
 * hashes (src/util/hash.ts), the same the gateway computes for a prompt's `blockHashes`:
 *
 * - Switchyard's own engine (the emulator, the simulator) already publishes those keys: `applyEngineEvent`.
 * - vLLM publishes its own block hashes (a different hash function, possibly bytes), so, like llm-d's
 *   indexer, we recompute our key from each stored block's `token_ids` chained on the parent's key, and keep
 *   a per-replica engine-hash → key map to apply removals: `applyVllmEvent`. This needs the gateway's
 *   `blockTokens` to equal the engine's block size and its token ids to be the engine's.
 */
export class PrecisePrefixIndex implements PrefixLookup {
  readonly #holders = new PrefixHolders();
  /** Per replica slot: keys it holds (for clears). */
  readonly #held: Set<number>[] = [];
  /** Per replica slot: vLLM block hash (stringified) → our key. */
  readonly #engineKeys: Map<string, number>[] = [];
  /** Events whose parent block was never seen (missed events): their blocks cannot be keyed. */
  orphanBlocks = 0;

  matchedBlocks(replicaId: string, hashes: readonly number[]): number {
    return this.#holders.matched(replicaId, hashes);
  }

  /** Blocks the replica holds according to its events. */
  size(replicaId: string): number {
    const slot = this.#holders.existingSlot(replicaId);
    return slot === undefined ? 0 : (this.#held[slot]?.size ?? 0);
  }

  applyEngineEvent(replicaId: string, event: EngineEvent): void {
    if (event.type === 'kv-stored') for (const hash of event.hashes) this.#store(replicaId, hash);
    else if (event.type === 'kv-removed') for (const hash of event.hashes) this.#remove(replicaId, hash);
    else if (event.type === 'kv-cleared') this.clear(replicaId);
  }

  /** Applies one vLLM KV event, either decoded from msgpack (array-like, tagged) or as a JSON object. */
  applyVllmEvent(replicaId: string, raw: unknown): void {
    const event: VllmKvEvent = decodeVllmEvent(raw);
    const slot = this.#holders.slotOf(replicaId);
    let engineKeys = this.#engineKeys[slot];
    if (engineKeys === undefined) {
      engineKeys = new Map();
      this.#engineKeys[slot] = engineKeys;
    }
    if (event.type === 'AllBlocksCleared') {
      this.clear(replicaId);
      return;
    }
    if (event.type === 'BlockRemoved') {
      for (const engineHash of event.blockHashes) {
        const id = hashId(engineHash);
        const key = engineKeys.get(id);
        if (key === undefined) continue;
        engineKeys.delete(id);
        this.#remove(replicaId, key);
      }
      return;
    }
    let parentKey: number | undefined = 0;
    if (event.parentBlockHash !== null) parentKey = engineKeys.get(hashId(event.parentBlockHash));
    if (parentKey === undefined) {
      this.orphanBlocks += event.blockHashes.length;
      return;
    }
    const size = event.blockSize;
    for (let i = 0; i < event.blockHashes.length; i++) {
      const engineHash = event.blockHashes[i] as VllmBlockHash;
      const end = (i + 1) * size;
      // Without the block's tokens (Switchyard's emulator may omit them), an integer engine hash is taken
      // as the key: the emulator's hashes are the gateway's own chained hashes (docs/emulator.md).
      if (end <= event.tokenIds.length) parentKey = hashInts(event.tokenIds, i * size, end, parentKey);
      else if (typeof engineHash === 'number') parentKey = engineHash;
      else {
        this.orphanBlocks += event.blockHashes.length - i;
        break;
      }
      engineKeys.set(hashId(engineHash), parentKey);
      this.#store(replicaId, parentKey);
    }
  }

  /** The replica dropped its whole cache (AllBlocksCleared, restart, removal from the fleet). */
  clear(replicaId: string): void {
    const slot = this.#holders.existingSlot(replicaId);
    if (slot === undefined) return;
    const held = this.#held[slot];
    if (held !== undefined) {
      for (const key of held) this.#holders.remove(key, slot);
      held.clear();
    }
    this.#engineKeys[slot]?.clear();
  }

  #store(replicaId: string, key: number): void {
    const slot = this.#holders.slotOf(replicaId);
    let held = this.#held[slot];
    if (held === undefined) {
      held = new Set();
      this.#held[slot] = held;
    }
    if (held.has(key)) return;
    held.add(key);
    this.#holders.add(key, slot);
  }

  #remove(replicaId: string, key: number): void {
    const slot = this.#holders.existingSlot(replicaId);
    if (slot === undefined) return;
    if (this.#held[slot]?.delete(key) === true) this.#holders.remove(key, slot);
  }
}

function hashId(hash: VllmBlockHash): string {
  if (typeof hash === 'number' || typeof hash === 'bigint') return hash.toString();
  return Buffer.from(hash).toString('hex');
}
