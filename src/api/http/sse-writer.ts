import type { ServerResponse } from 'node:http';

/**
 * Writes SSE frames to a client with backpressure: when the socket buffer is full, waits for `drain`
 * (or for the client to go away) before writing more, so a slow reader cannot make the gateway buffer
 * a whole generation in memory.
 */
export class SseWriter {
  #corked = false;
  readonly #uncork = (): void => {
    this.#corked = false;
    if (!this.closed) this.response.uncork();
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
    // headers and first frame leave in one corked write.
    this.response.writeHead(200, headers);
  }

  /**
   * Writes a frame; resolves when more may be written. Returns false when the client is gone.
   * Frames produced in the same turn of the event loop (an upstream TCP read often carries several
   * events) are corked into one write syscall; the socket is uncorked on the next turn, so a lone token
   * still leaves at once.
   */
  async write(frame: string): Promise<boolean> {
    if (this.closed) return false;
    if (!this.#corked) {
      this.#corked = true;
      this.response.cork();
      setImmediate(this.#uncork);
    }
    if (this.response.write(frame)) return true;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.response.off('drain', done);
        this.response.off('close', done);
        resolve();
      };
      this.response.on('drain', done);
      this.response.on('close', done);
    });
    return !this.closed;
  }

  end(): void {
    if (!this.closed) this.response.end();
  }
}
