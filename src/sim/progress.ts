/**
 * A one-line progress bar on stderr, redrawn at most every 100 ms of wall time. Only for a TTY: piped
 * output and CI logs get nothing.
 */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #started = Date.now();
  #last = 0;
  #drawn = false;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
  }

  static enabled(stream: NodeJS.WriteStream = process.stderr): boolean {
    return stream.isTTY === true;
  }

  update(done: number, total: number | undefined): void {
    const now = Date.now();
    if (now - this.#last < 100) return;
    this.#last = now;
    const elapsed = ((now - this.#started) / 1000).toFixed(1);
    const width = 30;
    let line: string;
    if (total !== undefined && total > 0) {
      const f = Math.min(1, done / total);
      const filled = Math.round(f * width);
      line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(f * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} requests  ${elapsed} s`;
    } else line = `${done.toLocaleString('en-US')} requests  ${elapsed} s`;
    this.#stream.write(`\r${line}\x1b[K`);
    this.#drawn = true;
  }

  done(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[K');
  }
}
