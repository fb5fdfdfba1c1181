/**
 * A bounded set of numbers in least-recently-used order, with O(1) touch and eviction: a hash map to slots
 * of a doubly linked list kept in typed arrays. (Evicting the oldest key of a JS Map — `keys().next()` then
 * `delete` — walks over the deleted entries at the front until V8 rehashes, which made routing hundreds of
 * microseconds slow once an index was full.)
 */
export class LruSet {
  readonly #slots = new Map<number, number>();
  #keys: Float64Array;
  #prev: Int32Array;
  #next: Int32Array;
  /** Most and least recently used slots; -1 when empty. */
  #head = -1;
  #tail = -1;
  #free: number[] = [];
  #used = 0;
  capacity: number;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.floor(capacity));
    const initial = Math.min(this.capacity, 1024);
    this.#keys = new Float64Array(initial);
    this.#prev = new Int32Array(initial);
    this.#next = new Int32Array(initial);
  }

  get size(): number {
    return this.#slots.size;
  }

  has(key: number): boolean {
    return this.#slots.has(key);
  }

  /**
   * Marks `key` most recently used, inserting it if absent. Returns the key evicted to make room, or
   * undefined. `inserted` tells whether the key is new.
   */
  touch(key: number): { inserted: boolean; evicted: number | undefined } {
    const slot = this.#slots.get(key);
    if (slot !== undefined) {
      this.#unlink(slot);
      this.#pushFront(slot);
      return NOT_INSERTED;
    }
    let evicted: number | undefined;
    if (this.#slots.size >= this.capacity) evicted = this.#evictOldest();
    const fresh = this.#allocate();
    this.#keys[fresh] = key;
    this.#slots.set(key, fresh);
    this.#pushFront(fresh);
    return evicted === undefined ? INSERTED : { inserted: true, evicted };
  }

  /** Removes and returns the least recently used key. */
  evictOldest(): number | undefined {
    return this.#tail < 0 ? undefined : this.#evictOldest();
  }

  delete(key: number): boolean {
    const slot = this.#slots.get(key);
    if (slot === undefined) return false;
    this.#unlink(slot);
    this.#slots.delete(key);
    this.#free.push(slot);
    return true;
  }

  keys(): IterableIterator<number> {
    return this.#slots.keys();
  }

  clear(): void {
    this.#slots.clear();
    this.#free = [];
    this.#used = 0;
    this.#head = this.#tail = -1;
  }

  #evictOldest(): number {
    const slot = this.#tail;
    const key = this.#keys[slot] as number;
    this.#unlink(slot);
    this.#slots.delete(key);
    this.#free.push(slot);
    return key;
  }

  #allocate(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    if (this.#used === this.#keys.length) {
      const size = Math.min(Math.max(this.capacity, this.#used + 1), this.#keys.length * 2);
      this.#keys = grow(this.#keys, new Float64Array(size));
      this.#prev = grow(this.#prev, new Int32Array(size));
      this.#next = grow(this.#next, new Int32Array(size));
    }
    return this.#used++;
  }

  #pushFront(slot: number): void {
    this.#prev[slot] = -1;
    this.#next[slot] = this.#head;
    if (this.#head >= 0) this.#prev[this.#head] = slot;
    this.#head = slot;
    if (this.#tail < 0) this.#tail = slot;
  }

  #unlink(slot: number): void {
    const prev = this.#prev[slot] as number;
    const next = this.#next[slot] as number;
    if (prev >= 0) this.#next[prev] = next;
    else this.#head = next;
    if (next >= 0) this.#prev[next] = prev;
    else this.#tail = prev;
  }
}

const NOT_INSERTED = Object.freeze({ inserted: false, evicted: undefined });
const INSERTED = Object.freeze({ inserted: true, evicted: undefined });

function grow<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
