import { BUCKET_MS, WINDOW_BUCKETS, type WindowState } from './types.js';

/**
 * A sliding window of 60 one-second buckets: usage admitted in second b counts until second b + 60.
 * This is the in-memory twin of the Lua in `redis-scripts.ts`; the two must decide alike (both run the
 * same test suite).
 */
export class BucketWindow {
  private readonly buckets = new Map<number, number>();

  /** Drops buckets that left the window; returns what is left, oldest first. */
  private live(now: number): Array<[number, number]> {
    const oldest = Math.floor(now / BUCKET_MS) - WINDOW_BUCKETS + 1;
    const out: Array<[number, number]> = [];
    for (const [b, v] of this.buckets) {
      if (b < oldest) this.buckets.delete(b);
      else out.push([b, v]);
    }
    return out.sort((x, y) => x[0] - y[0]);
  }

  used(now: number): number {
    return this.live(now).reduce((sum, [, v]) => sum + v, 0);
  }

  /** Ms until `excess` units have left the window; undefined if they never will. */
  waitFor(now: number, excess: number): number | undefined {
    let freed = 0;
    for (const [b, v] of this.live(now)) {
      freed += v;
      if (freed >= excess) return (b + WINDOW_BUCKETS) * BUCKET_MS - now;
    }
    return undefined;
  }

  state(now: number, limit: number): WindowState {
    const live = this.live(now);
    const used = live.reduce((sum, [, v]) => sum + v, 0);
    const newest = live[live.length - 1];
    return { limit, remaining: Math.max(0, limit - used), resetMs: newest === undefined ? 0 : (newest[0] + WINDOW_BUCKETS) * BUCKET_MS - now };
  }

  add(bucket: number, amount: number): void {
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + amount);
  }

  /** Reconciles a reservation made in `bucket`, if that bucket is still in the window. */
  adjust(now: number, bucket: number, delta: number): void {
    const oldest = Math.floor(now / BUCKET_MS) - WINDOW_BUCKETS + 1;
    const v = this.buckets.get(bucket);
    if (bucket < oldest || v === undefined) return;
    this.buckets.set(bucket, Math.max(0, v + delta));
  }

  get empty(): boolean {
    return this.buckets.size === 0;
  }
}
