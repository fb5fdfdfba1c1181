/**
 * Block hash → the replicas holding it, with a longest-prefix match for all replicas at once.
 *
 * A policy asks `matched(replica, hashes)` for every candidate with the same `hashes` array. Walking the
 * chain once per replica costs replicas × matched-blocks map look-ups; walking it once for all replicas
 * (llm-d's approximate producer does the same: one greedy walk, counting per pod) costs only the holders
 * actually met. The result is kept for the array it was computed from until the index changes, so the
 * per-replica question is then answered in O(1).
 */
export class PrefixHolders {
  /**
   * hash → replica slots holding it: a bare slot number when one replica holds it (most blocks: a
   * conversation's tail lives on one replica), an array when several do (a system prompt on all). Avoiding
   * an array per block keeps a 640,000-block index from feeding the garbage collector.
   */
  readonly #holders = new Map<number, number | number[]>();
  readonly #slots = new Map<string, number>();
  #version = 0;
  #memoHashes: readonly number[] | undefined;
  #memoVersion = -1;
  #memo = new Int32Array(16);

  slotOf(replicaId: string): number {
    let slot = this.#slots.get(replicaId);
    if (slot === undefined) {
      slot = this.#slots.size;
      this.#slots.set(replicaId, slot);
    }
    return slot;
  }

  existingSlot(replicaId: string): number | undefined {
    return this.#slots.get(replicaId);
  }

  add(hash: number, slot: number): void {
    const holders = this.#holders.get(hash);
    if (holders === undefined) this.#holders.set(hash, slot);
    else if (typeof holders === 'number') {
      if (holders === slot) return;
      this.#holders.set(hash, [holders, slot]);
    } else if (!holders.includes(slot)) holders.push(slot);
    else return;
    this.#version++;
  }

  remove(hash: number, slot: number): void {
    const holders = this.#holders.get(hash);
    if (holders === undefined) return;
    if (typeof holders === 'number') {
      if (holders !== slot) return;
      this.#holders.delete(hash);
    } else {
      const at = holders.indexOf(slot);
      if (at < 0) return;
      holders[at] = holders[holders.length - 1] as number;
      holders.pop();
      if (holders.length === 1) this.#holders.set(hash, holders[0] as number);
    }
    this.#version++;
  }

  has(hash: number, slot: number): boolean {
    const holders = this.#holders.get(hash);
    return holders === slot || (typeof holders === 'object' && holders.includes(slot));
  }

  /** Leading blocks of `hashes` held on the replica: the longest consecutive run from block 0. */
  matched(replicaId: string, hashes: readonly number[]): number {
    const slot = this.#slots.get(replicaId);
    if (slot === undefined || hashes.length === 0) return 0;
    if (this.#memoHashes !== hashes || this.#memoVersion !== this.#version) this.#matchAll(hashes);
    return this.#memo[slot] ?? 0;
  }

  #matchAll(hashes: readonly number[]): void {
    if (this.#memo.length < this.#slots.size) this.#memo = new Int32Array(this.#slots.size * 2);
    const memo = this.#memo;
    memo.fill(0);
    for (let k = 0; k < hashes.length; k++) {
      const holders = this.#holders.get(hashes[k] as number);
      if (holders === undefined) break;
      if (typeof holders === 'number') {
        if (memo[holders] !== k) break;
        memo[holders] = k + 1;
        continue;
      }
      let extended = false;
      for (let h = 0; h < holders.length; h++) {
        const slot = holders[h] as number;
        // Only a replica that held every earlier block extends its run: the match is a prefix.
        if (memo[slot] === k) {
          memo[slot] = k + 1;
          extended = true;
        }
      }
      if (!extended) break;
    }
    this.#memoHashes = hashes;
    this.#memoVersion = this.#version;
  }
}
