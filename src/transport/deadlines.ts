/**
 * Total-time deadlines for upstream calls without a timer per call: calls register an AbortController
 * with a deadline, and one unref'd interval aborts the overdue ones. `AbortSignal.timeout` +
 * `AbortSignal.any` per request cost a timer, two signals and dependent-signal bookkeeping each (and
 * showed up in the gateway's CPU profile); a deadline this coarse (the sweep period) is fine for a
 * ten-minute cap.
 */
export interface DeadlineEntry {
  deadline: number;
  controller: AbortController;
}

export class Deadlines {
  readonly #entries = new Set<DeadlineEntry>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly totalMs: number,
    private readonly sweepMs = Math.max(10, Math.min(500, Math.floor(totalMs / 4))),
  ) {}

  add(controller: AbortController): DeadlineEntry {
    const entry = { deadline: performance.now() + this.totalMs, controller };
    this.#entries.add(entry);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#sweep(), this.sweepMs);
      this.#timer.unref();
    }
    return entry;
  }

  delete(entry: DeadlineEntry): void {
    this.#entries.delete(entry);
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
      entry.controller.abort(new DOMException(`upstream call exceeded the total timeout of ${this.totalMs} ms`, 'TimeoutError'));
    }
  }
}
