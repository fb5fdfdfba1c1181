/**
 * A set of integer-valued numbers (block hashes up to 2^53) in typed arrays with open addressing and linear
 * probing. The simulator mirrors every replica's prefix cache from KV events, tens of millions of adds and
 * deletes in a large run; a built-in Set spent ~10% of the run there (bench/sim.ts profile), this about half.
 */
const EMPTY = 0;
const FULL = 1;
const GONE = 2;

export class NumberSet {
  #keys: Float64Array;
  #state: Uint8Array;
  #mask: number;
  #size = 0;
  /** Full plus tombstoned slots: probing cost grows with both. */
  #used = 0;

  constructor(capacity = 64) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.#keys = new Float64Array(n);
    this.#state = new Uint8Array(n);
    this.#mask = n - 1;
  }

  get size(): number {
    return this.#size;
  }

  #slot(key: number): number {
    const lo = key >>> 0;
    const hi = (key / 4294967296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
    h ^= h >>> 15;
    return h & this.#mask;
  }

  has(key: number): boolean {
    const keys = this.#keys;
    const state = this.#state;
    for (let i = this.#slot(key); ; i = (i + 1) & this.#mask) {
      const s = state[i] as number;
      if (s === EMPTY) return false;
      if (s === FULL && keys[i] === key) return true;
    }
  }

  add(key: number): void {
    const keys = this.#keys;
    const state = this.#state;
    let free = -1;
    for (let i = this.#slot(key); ; i = (i + 1) & this.#mask) {
      const s = state[i] as number;
      if (s === EMPTY) {
        if (free < 0) {
          free = i;
          this.#used++;
        }
        break;
      }
      if (s === FULL) {
        if (keys[i] === key) return;
      } else if (free < 0) free = i;
    }
    keys[free] = key;
    state[free] = FULL;
    this.#size++;
    if (this.#used * 4 > (this.#mask + 1) * 3) this.#rehash(this.#size * 2 > this.#mask + 1 ? (this.#mask + 1) * 2 : this.#mask + 1);
  }

  delete(key: number): void {
    const keys = this.#keys;
    const state = this.#state;
    for (let i = this.#slot(key); ; i = (i + 1) & this.#mask) {
      const s = state[i] as number;
      if (s === EMPTY) return;
      if (s === FULL && keys[i] === key) {
        state[i] = GONE;
        this.#size--;
        return;
      }
    }
  }

  clear(): void {
    this.#state.fill(EMPTY);
    this.#size = 0;
    this.#used = 0;
  }

  #rehash(n: number): void {
    const keys = this.#keys;
    const state = this.#state;
    this.#keys = new Float64Array(n);
    this.#state = new Uint8Array(n);
    this.#mask = n - 1;
    this.#size = 0;
    this.#used = 0;
    for (let i = 0; i < keys.length; i++) if (state[i] === FULL) this.add(keys[i] as number);
  }
}
