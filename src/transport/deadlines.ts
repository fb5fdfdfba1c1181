/**
 * Total-time deadlines for upstream calls without a timer per call: calls register themselves with a
 * deadline, and one unref'd interval aborts the overdue ones. A timer per request (or `AbortSignal.timeout`
 * + `AbortSignal.any`) showed up in the gateway's CPU profile; a deadline this coarse (the sweep period)
 * is fine for a ten-minute cap.
 */
export interface Deadlined {
  /** performance.now() past which the call is aborted; set by `add`. */
  deadline: number;
  abort(reason: unknown): void;
}

export class Deadlines {
  readonly #entries = new Set<Deadlined>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly totalMs: number,
    private readonly sweepMs = Math.max(10, Math.min(500, Math.floor(totalMs / 4))),
  ) {}

  add(entry: Deadlined): void {
    entry.deadline = performance.now() + this.totalMs;
    this.#entries.add(entry);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#sweep(), this.sweepMs);
      this.#timer.unref();
    }
  }

  delete(entry: Deadlined): void {
    if (!this.#entries.delete(entry)) return;
    if (this.#entries.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #sweep(): void {
    const now = performance.now();
    for (const entry of this.#entries) {
      if (entry.deadline > now) continue;
      this.delete(entry);
      entry.abort(new DOMException(`upstream call exceeded the total timeout of ${this.totalMs} ms`, 'TimeoutError'));
    }
  }
}
