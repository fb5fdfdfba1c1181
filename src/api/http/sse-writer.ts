import type { ServerResponse } from 'node:http';

/** Past this much pending text a frame batch is written at once instead of at the end of the turn. */
const FLUSH_BYTES = 64 * 1024;

/**
 * Writes SSE frames to a client with backpressure: when the socket buffer is full, waits for `drain`
 * (or for the client to go away) before accepting more, so a slow reader cannot make the gateway buffer
 * a whole generation in memory.
 *
 * Frames produced in the same turn of the event loop (one upstream TCP read often carries several
 * events) are joined into one string and written once at the end of the turn: one chunk and one
 * syscall instead of one per frame, which a CPU profile showed dominating the streaming path. A lone
 * token still leaves on the next turn; the last batch goes out with the end of the response.
 */
export class SseWriter {
  #pending = '';
  #scheduled = false;
  #blocked: Promise<void> | undefined;
  readonly #flush = (): void => {
    this.#scheduled = false;
    this.#writePending();
  };

  constructor(private readonly response: ServerResponse) {}

  get closed(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  start(headers: Record<string, string>): void {
    headers['content-type'] = 'text/event-stream; charset=utf-8';
    headers['cache-control'] = 'no-cache';
    headers['x-accel-buffering'] = 'no';
    // No flushHeaders(): the first frame is already in hand (the pipeline pulls it before starting), so
    // headers and the first batch leave together.
    this.response.writeHead(200, headers);
  }

  /** Queues a frame; resolves when more may be written. Returns false when the client is gone. */
  async write(frame: string): Promise<boolean> {
    if (this.closed) return false;
    this.#pending += frame;
    if (this.#pending.length >= FLUSH_BYTES) this.#writePending();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
    if (this.#blocked !== undefined) await this.#blocked;
    return !this.closed;
  }

  end(): void {
    if (this.closed) return;
    const rest = this.#pending;
    this.#pending = '';
    if (rest === '') this.response.end();
    else this.response.end(rest);
  }

  #writePending(): void {
    if (this.#pending === '' || this.closed) return;
    const batch = this.#pending;
    this.#pending = '';
    if (this.response.write(batch) || this.#blocked !== undefined) return;
    this.#blocked = new Promise<void>((resolve) => {
      const done = (): void => {
        this.response.off('drain', done);
        this.response.off('close', done);
        this.#blocked = undefined;
        resolve();
      };
      this.response.on('drain', done);
      this.response.on('close', done);
    });
  }
}
