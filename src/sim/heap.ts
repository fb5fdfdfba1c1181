/**
 * A binary min-heap of events keyed by (time, tie), held in parallel typed arrays so pushing and popping
 * allocate nothing: O(log n) per operation. `tie` breaks equal times deterministically (the simulator
 * passes a rank and a sequence number), so two runs pop events in the same order.
 */
export class EventHeap {
  #time: Float64Array;
  #tie: Float64Array;
  #kind: Uint8Array;
  #payload: Int32Array;
  #size = 0;

  constructor(capacity = 1024) {
    this.#time = new Float64Array(capacity);
    this.#tie = new Float64Array(capacity);
    this.#kind = new Uint8Array(capacity);
    this.#payload = new Int32Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.#size === 0 ? Infinity : (this.#time[0] as number);
  }

  peekKind(): number {
    return this.#kind[0] as number;
  }

  peekPayload(): number {
    return this.#payload[0] as number;
  }

  push(time: number, tie: number, kind: number, payload: number): void {
    if (this.#size === this.#time.length) this.#grow();
    let i = this.#size++;
    // Sift up: move parents down until the slot for the new event is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(time, tie, parent)) break;
      this.#move(parent, i);
      i = parent;
    }
    this.#set(i, time, tie, kind, payload);
  }

  /** Removes the earliest event; read it first with the peek methods. */
  pop(): void {
    const last = --this.#size;
    if (last <= 0) return;
    const time = this.#time[last] as number;
    const tie = this.#tie[last] as number;
    const kind = this.#kind[last] as number;
    const payload = this.#payload[last] as number;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      let child = left;
      if (right < last && this.#lessIdx(right, left)) child = right;
      if (!this.#lessAt(child, time, tie)) break;
      this.#move(child, i);
      i = child;
    }
    this.#set(i, time, tie, kind, payload);
  }

  /** (time, tie) < event at j */
  #less(time: number, tie: number, j: number): boolean {
    const t = this.#time[j] as number;
    return time < t || (time === t && tie < (this.#tie[j] as number));
  }

  /** event at j < (time, tie) */
  #lessAt(j: number, time: number, tie: number): boolean {
    const t = this.#time[j] as number;
    return t < time || (t === time && (this.#tie[j] as number) < tie);
  }

  #lessIdx(a: number, b: number): boolean {
    return this.#lessAt(a, this.#time[b] as number, this.#tie[b] as number);
  }

  #move(from: number, to: number): void {
    this.#time[to] = this.#time[from] as number;
    this.#tie[to] = this.#tie[from] as number;
    this.#kind[to] = this.#kind[from] as number;
    this.#payload[to] = this.#payload[from] as number;
  }

  #set(i: number, time: number, tie: number, kind: number, payload: number): void {
    this.#time[i] = time;
    this.#tie[i] = tie;
    this.#kind[i] = kind;
    this.#payload[i] = payload;
  }

  #grow(): void {
    const n = this.#time.length * 2;
    const time = new Float64Array(n);
    time.set(this.#time);
    this.#time = time;
    const tie = new Float64Array(n);
    tie.set(this.#tie);
    this.#tie = tie;
    const kind = new Uint8Array(n);
    kind.set(this.#kind);
    this.#kind = kind;
    const payload = new Int32Array(n);
    payload.set(this.#payload);
    this.#payload = payload;
  }
}
