/**
 * The fleet-level queue for requests a policy answered `queue` for: FIFO, bounded in length, each entry
 * with its enqueue time so it can time out. A ring buffer of request indices: no per-entry objects.
 */
export class RequestQueue {
  readonly capacity: number;
  #items: Int32Array;
  #since: Float64Array;
  #head = 0;
  #length = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    const initial = Math.max(1, Math.min(capacity, 1024));
    this.#items = new Int32Array(initial);
    this.#since = new Float64Array(initial);
  }

  get length(): number {
    return this.#length;
  }

  get full(): boolean {
    return this.#length >= this.capacity;
  }

  /** False when full. */
  push(item: number, sinceMs: number): boolean {
    if (this.full) return false;
    if (this.#length === this.#items.length) this.#grow();
    const slot = (this.#head + this.#length) % this.#items.length;
    this.#items[slot] = item;
    this.#since[slot] = sinceMs;
    this.#length++;
    return true;
  }

  peek(): number {
    return this.#items[this.#head] as number;
  }

  peekSince(): number {
    return this.#since[this.#head] as number;
  }

  shift(): void {
    this.#head = (this.#head + 1) % this.#items.length;
    this.#length--;
  }

  #grow(): void {
    const n = Math.min(this.capacity, this.#items.length * 2);
    const items = new Int32Array(n);
    const since = new Float64Array(n);
    for (let k = 0; k < this.#length; k++) {
      const slot = (this.#head + k) % this.#items.length;
      items[k] = this.#items[slot] as number;
      since[k] = this.#since[slot] as number;
    }
    this.#items = items;
    this.#since = since;
    this.#head = 0;
  }
}
