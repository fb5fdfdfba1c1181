import type { ServerResponse } from 'node:http';

/** Past this much pending text a batch is written at once instead of at the end of the turn. */
const FLUSH_BYTES = 64 * 1024;

/**
 * Writes SSE frames to a client with backpressure: when the socket buffer is full, `blocked` is a promise
 * that settles on `drain` (or when the client goes away), so a slow reader cannot make the gateway buffer a
 * whole generation in memory.
 *
 * Frames written in the same turn of the event loop (one upstream read often carries several events, and
 * a fast upstream several reads) are joined and written once at the end of the turn: one chunk and one
 * syscall instead of one per frame, which a CPU profile showed dominating the streaming path. A lone token
 * still leaves on the next turn; the last frames go out with the end of the response.
 */
export class SseWriter {
  #pending = '';
  #scheduled = false;
  #blocked: Promise<void> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #flush = (): void => {
    this.#scheduled = false;
    this.#writePending();
  };

  constructor(private readonly response: ServerResponse) {}

  get closed(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  /** Settles when the client has taken what was written (or left); undefined while it keeps up. */
  get blocked(): Promise<void> | undefined {
    return this.#blocked;
  }

  start(headers: Record<string, string>): void {
    headers['content-type'] = 'text/event-stream; charset=utf-8';
    headers['cache-control'] = 'no-cache';
    headers['x-accel-buffering'] = 'no';
    // No flushHeaders(): the first frames are already in hand (the stream phase pulls them before
    // starting), so headers and the first batch leave together.
    this.response.writeHead(200, headers);
  }

  /**
   * Writes `frame()` whenever nothing was written for `intervalMs` (keep-alive through idle-timeout
   * proxies); '' means nothing is due. One timer per stream, re-armed by every write.
   */
  keepAlive(intervalMs: number, frame: () => string): void {
    this.#heartbeat = setTimeout(() => {
      if (this.closed) return;
      const text = frame();
      if (text !== '') this.write(text);
      this.#heartbeat?.refresh();
    }, intervalMs);
    this.#heartbeat.unref();
  }

  /** Queues frames (written at the end of the turn); check `blocked` before producing more. */
  write(frames: string): void {
    if (this.closed) return;
    this.#heartbeat?.refresh();
    this.#pending += frames;
    if (this.#pending.length >= FLUSH_BYTES) this.#writePending();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
  }

  /** Ends the response with `frames` (the last ones) and whatever is still pending, in one write. */
  end(frames = ''): void {
    if (this.#heartbeat !== undefined) clearTimeout(this.#heartbeat);
    if (this.closed) return;
    const rest = this.#pending + frames;
    this.#pending = '';
    if (rest === '') this.response.end();
    else this.response.end(rest);
  }

  /** Stops the heartbeat without ending the response (the client left, or the caller ends it otherwise). */
  stop(): void {
    if (this.#heartbeat !== undefined) clearTimeout(this.#heartbeat);
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
