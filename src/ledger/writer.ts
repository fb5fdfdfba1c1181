import type { UsageRecord } from './record.js';

export interface LedgerWriterOptions {
  /** Flush at least this often while records wait. Default 25 ms (docs/tenancy.md, Batched writer). */
  flushIntervalMs?: number;
  /** Flush as soon as this many records wait, and write at most this many per transaction. Default 500. */
  maxBatch?: number;
  /** Beyond this many waiting records (database down), the oldest are dropped and counted. Default 100 000. */
  maxBuffered?: number;
  /** Reported, never thrown: the request path must not fail because the ledger is slow. */
  onError?: (message: string, error: unknown) => void;
}

export interface LedgerWriterStats {
  written: number;
  pending: number;
  dropped: number;
  failedFlushes: number;
}

/**
 * Buffers usage records off the request path and writes them in batches: one transaction per batch,
 * every `flushIntervalMs` or every `maxBatch` records, whichever comes first. `write` never blocks and
 * never throws. `close()` drains the buffer; call it from the SIGTERM/SIGINT handler.
 *
 * What a hard kill (SIGKILL, OOM, power) can lose: the records still in the buffer — at most one flush
 * interval's worth (plus, when the database is failing, what waits for its retry).
 */
export class LedgerWriter {
  private buffer: UsageRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly interval: number;
  private readonly maxBatch: number;
  private readonly maxBuffered: number;
  private readonly onError: (message: string, error: unknown) => void;
  private readonly counters = { written: 0, dropped: 0, failedFlushes: 0 };
  /** `dropped` when the last overflow was reported (or the database last recovered). */
  private droppedReported = 0;

  constructor(
    private readonly sink: (records: readonly UsageRecord[]) => Promise<void>,
    options: LedgerWriterOptions = {},
  ) {
    this.interval = options.flushIntervalMs ?? 25;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.onError = options.onError ?? ((m, e) => console.error(`switchyard ledger: ${m}:`, e instanceof Error ? e.message : e));
  }

  write(record: UsageRecord): void {
    if (this.closed) {
      this.onError('record written after close(), dropped', new Error(record.id));
      this.counters.dropped++;
      return;
    }
    this.buffer.push(record);
    if (this.buffer.length > this.maxBuffered) {
      const excess = this.buffer.length - this.maxBuffered;
      this.buffer.splice(0, excess);
      // Said once per overflow, not once per record: the log must not become the next outage.
      if (this.counters.dropped === this.droppedReported) this.onError(`ledger buffer full (${this.maxBuffered} records): dropping the oldest`, new Error('ledger database too slow or down'));
      this.counters.dropped += excess;
    }
    // A running flush keeps draining until the buffer is empty, so it picks these records up too.
    if (this.flushing !== undefined) return;
    if (this.buffer.length >= this.maxBatch) void this.flush();
    else this.arm();
  }

  /** Writes everything buffered now (in batches); resolves when done. Failures keep records for the next try. */
  flush(): Promise<void> {
    if (this.flushing !== undefined) return this.flushing.then(() => (this.buffer.length > 0 ? this.flush() : undefined));
    this.flushing = this.drainOnce().finally(() => {
      this.flushing = undefined;
      // Records that arrived between the drain's last look and now still get their timer.
      if (this.buffer.length > 0) this.arm();
    });
    return this.flushing;
  }

  private async drainOnce(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.maxBatch);
      try {
        await this.sink(batch);
        this.counters.written += batch.length;
        this.droppedReported = this.counters.dropped;
      } catch (error) {
        // Put the batch back in front and retry on the next tick of the timer.
        this.buffer.unshift(...batch);
        this.counters.failedFlushes++;
        this.onError(`writing ${batch.length} usage records failed; will retry`, error);
        this.arm();
        return;
      }
    }
  }

  private arm(): void {
    if (this.timer !== undefined || this.closed) return;
    // unref: a pending flush must not keep an otherwise finished process alive; close() drains explicitly.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.interval);
    this.timer.unref();
  }

  /**
   * Stops accepting records and writes everything buffered. If the database keeps failing, gives up
   * after `attempts` tries and reports how many records were lost.
   */
  async close(attempts = 3): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (let i = 0; i < attempts && (this.buffer.length > 0 || this.flushing !== undefined); i++) {
      await this.flush();
      if (this.buffer.length > 0 && i < attempts - 1) await new Promise((r) => setTimeout(r, this.interval));
    }
    if (this.buffer.length > 0) {
      this.counters.dropped += this.buffer.length;
      this.onError(`closing with ${this.buffer.length} usage records unwritten`, new Error('ledger database unavailable'));
      this.buffer = [];
    }
  }

  get stats(): LedgerWriterStats {
    return { ...this.counters, pending: this.buffer.length };
  }
}
