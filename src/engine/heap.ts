/**
 * A binary min-heap over (key1, key2) with a value and an epoch per slot, in parallel arrays so pushes and
 * pops allocate nothing once grown. The engine keeps two: waiting requests by (priority, arrival order) and
 * decoding requests by (finish step, arrival order). Entries are removed lazily: the owner bumps its epoch
 * and skips stale slots on pop.
 */
export class PairHeap<T> {
  private k1: number[] = [];
  private k2: number[] = [];
  private vals: T[] = [];
  private epochs: number[] = [];
  private n = 0;

  get size(): number {
    return this.n;
  }

  push(key1: number, key2: number, value: T, epoch: number): void {
    let i = this.n++;
    this.k1[i] = key1;
    this.k2[i] = key2;
    this.vals[i] = value;
    this.epochs[i] = epoch;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  peekKey1(): number {
    return this.k1[0] as number;
  }

  peekValue(): T {
    return this.vals[0] as T;
  }

  peekEpoch(): number {
    return this.epochs[0] as number;
  }

  pop(): void {
    const last = --this.n;
    if (last > 0) {
      this.k1[0] = this.k1[last] as number;
      this.k2[0] = this.k2[last] as number;
      this.vals[0] = this.vals[last] as T;
      this.epochs[0] = this.epochs[last] as number;
      this.siftDown(0);
    }
    // Drop the reference so finished requests can be collected.
    this.vals[last] = undefined as T;
  }

  private siftDown(i: number): void {
    const n = this.n;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const c = r < n && this.less(r, l) ? r : l;
      if (!this.less(c, i)) return;
      this.swap(c, i);
      i = c;
    }
  }

  private less(a: number, b: number): boolean {
    const x = this.k1[a] as number;
    const y = this.k1[b] as number;
    return x < y || (x === y && (this.k2[a] as number) < (this.k2[b] as number));
  }

  private swap(a: number, b: number): void {
    const k1 = this.k1[a] as number;
    this.k1[a] = this.k1[b] as number;
    this.k1[b] = k1;
    const k2 = this.k2[a] as number;
    this.k2[a] = this.k2[b] as number;
    this.k2[b] = k2;
    const v = this.vals[a] as T;
    this.vals[a] = this.vals[b] as T;
    this.vals[b] = v;
    const e = this.epochs[a] as number;
    this.epochs[a] = this.epochs[b] as number;
    this.epochs[b] = e;
  }
}
