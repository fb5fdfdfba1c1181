/**
 * Per-pool series over virtual time for the report: utilisation (busy share of replica time) and queue
 * length (the most requests waiting in all the pool's engines together, and in the fleet queue, seen in
 * each bucket).
 * Buckets start 1 s wide; when there are more than MAX_BUCKETS, neighbours merge and the width doubles, so
 * memory stays bounded whatever the simulated span.
 */
const MAX_BUCKETS = 240;

export interface TimelineSeries {
  bucketMs: number;
  /** Per pool, per bucket: busy replica-ms / (replicas × bucket ms). */
  utilisation: number[][];
  /** Per pool, per bucket: the largest number of requests waiting in the pool's engines together. */
  waiting: number[][];
  /** Per bucket: the largest fleet-queue length (requests a policy asked to hold). */
  queued: number[];
}

export class Timeline {
  #bucketMs = 1000;
  readonly #busy: Float64Array[];
  readonly #waiting: Float64Array[];
  readonly #queued = new Float64Array(MAX_BUCKETS * 2);
  #used = 0;
  readonly #replicas: readonly number[];

  constructor(replicasPerPool: readonly number[]) {
    this.#replicas = replicasPerPool;
    this.#busy = replicasPerPool.map(() => new Float64Array(MAX_BUCKETS * 2));
    this.#waiting = replicasPerPool.map(() => new Float64Array(MAX_BUCKETS * 2));
  }

  #bucket(timeMs: number): number {
    let b = Math.floor(timeMs / this.#bucketMs);
    while (b >= MAX_BUCKETS) {
      this.#merge();
      b = Math.floor(timeMs / this.#bucketMs);
    }
    if (b + 1 > this.#used) this.#used = b + 1;
    return b;
  }

  #merge(): void {
    const fold = (a: Float64Array, combine: (x: number, y: number) => number) => {
      for (let i = 0; i < MAX_BUCKETS; i++) a[i] = combine(a[2 * i] as number, a[2 * i + 1] as number);
      a.fill(0, MAX_BUCKETS);
    };
    for (const a of this.#busy) fold(a, (x, y) => x + y);
    for (const a of this.#waiting) fold(a, Math.max);
    fold(this.#queued, Math.max);
    this.#bucketMs *= 2;
    this.#used = Math.ceil(this.#used / 2);
  }

  /** A replica of `pool` was busy over [startMs, endMs): spread across the buckets it covers. */
  busy(pool: number, startMs: number, endMs: number): void {
    let t = startMs;
    while (t < endMs) {
      const b = this.#bucket(t);
      const edge = Math.min(endMs, (b + 1) * this.#bucketMs);
      const busy = this.#busy[pool] as Float64Array;
      busy[b] = (busy[b] as number) + (edge - t);
      t = edge;
    }
  }

  waiting(pool: number, timeMs: number, count: number): void {
    const b = this.#bucket(timeMs);
    const waiting = this.#waiting[pool] as Float64Array;
    if (count > (waiting[b] as number)) waiting[b] = count;
  }

  queued(timeMs: number, count: number): void {
    const b = this.#bucket(timeMs);
    if (count > (this.#queued[b] as number)) this.#queued[b] = count;
  }

  series(): TimelineSeries {
    const n = this.#used;
    const width = this.#bucketMs;
    return {
      bucketMs: width,
      utilisation: this.#busy.map((a, p) => Array.from(a.subarray(0, n), (v) => v / (width * (this.#replicas[p] ?? 1)))),
      waiting: this.#waiting.map((a) => Array.from(a.subarray(0, n))),
      queued: Array.from(this.#queued.subarray(0, n)),
    };
  }
}
