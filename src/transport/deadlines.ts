/**
 * Total-time deadlines for upstream calls without a timer per call: calls register themselves with a
 * deadline, and one unref'd interval aborts the overdue ones. A timer per request (or `AbortSignal.timeout`
 * + `AbortSignal.any`) showed up in the gateway's CPU profile; a deadline this coarse (the sweep period)
 * is fine for a ten-minute cap.
 *
 * The calls form an intrusive doubly linked list (each call carries its own links): every call gets the
 * same budget, so appending keeps the list in deadline order, the sweep pops from the head, and both
 * `add` and `delete` are O(1) and allocate nothing. A `Set` did the same job but its backing table,
 * rehashed again and again under add/delete churn, made V8 promote every in-flight call's objects to the
 * old generation (2.3 kB a request, measured), which grew the heap by tens of MB under load.
 */
export interface Deadlined {
  /** performance.now() past which the call is aborted; set by `add`. */
  deadline: number;
  /** Links of the list; owned by Deadlines. */
  deadlinePrev: Deadlined | undefined;
  deadlineNext: Deadlined | undefined;
  abort(reason: unknown): void;
}

export class Deadlines {
  #head: Deadlined | undefined;
  #tail: Deadlined | undefined;
  #size = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly totalMs: number,
    private readonly sweepMs = Math.max(10, Math.min(500, Math.floor(totalMs / 4))),
  ) {}

  add(entry: Deadlined): void {
    entry.deadline = performance.now() + this.totalMs;
    entry.deadlinePrev = this.#tail;
    entry.deadlineNext = undefined;
    if (this.#tail === undefined) this.#head = entry;
    else this.#tail.deadlineNext = entry;
    this.#tail = entry;
    this.#size++;
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#sweep(), this.sweepMs);
      this.#timer.unref();
    }
  }

  /** Removes the entry if it is listed; a second call is a no-op. */
  delete(entry: Deadlined): void {
    const { deadlinePrev: prev, deadlineNext: next } = entry;
    if (prev === undefined && this.#head !== entry) return;
    if (prev === undefined) this.#head = next;
    else prev.deadlineNext = next;
    if (next === undefined) this.#tail = prev;
    else next.deadlinePrev = prev;
    entry.deadlinePrev = undefined;
    entry.deadlineNext = undefined;
    this.#size--;
    if (this.#size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #sweep(): void {
    const now = performance.now();
    for (let entry = this.#head; entry !== undefined && entry.deadline <= now; entry = this.#head) {
      this.delete(entry);
      entry.abort(new DOMException(`upstream call exceeded the total timeout of ${this.totalMs} ms`, 'TimeoutError'));
    }
  }
}
