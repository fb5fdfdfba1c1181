/**
 * Server-sent events, per the WHATWG HTML spec §9.2 (event stream interpretation): lines split on CR, LF
 * or CRLF; `data:` lines accumulate; a blank line dispatches; `:` lines are comments.
 */
export interface SseMessage {
  event?: string;
  data: string;
  id?: string;
}

export function encodeSse(data: string, event?: string): string {
  const head = event === undefined ? '' : `event: ${event}\n`;
  if (!data.includes('\n')) return `${head}data: ${data}\n\n`;
  return `${head}${data
    .split('\n')
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

/** Incremental parser: feed text chunks as they arrive, collect whole messages. */
export class SseParser {
  #buffer = '';
  /** The message's data lines so far, joined by LF (most messages have one line: no array per message). */
  #data: string | undefined;
  #event: string | undefined;
  #id: string | undefined;
  #pendingCr = false;

  /** Feeds a chunk; returns the messages completed by it. */
  push(chunk: string): SseMessage[] {
    const out: SseMessage[] = [];
    let text = chunk;
    if (this.#pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.#pendingCr = false;
    this.#buffer += text;
    let start = 0;
    for (let i = 0; i < this.#buffer.length; i++) {
      const ch = this.#buffer.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      this.#line(this.#buffer.slice(start, i), out);
      if (ch === 13) {
        if (i + 1 < this.#buffer.length) {
          if (this.#buffer.charCodeAt(i + 1) === 10) i++;
        } else {
          this.#pendingCr = true;
        }
      }
      start = i + 1;
    }
    this.#buffer = this.#buffer.slice(start);
    return out;
  }

  /** Ends the stream: a message not terminated by a blank line is discarded, as the spec says. */
  end(): SseMessage[] {
    this.#buffer = '';
    this.#data = undefined;
    this.#event = undefined;
    return [];
  }

  #line(line: string, out: SseMessage[]): void {
    if (line === '') {
      if (this.#data !== undefined) {
        const message: SseMessage = { data: this.#data };
        if (this.#event !== undefined) message.event = this.#event;
        if (this.#id !== undefined) message.id = this.#id;
        out.push(message);
      }
      this.#data = undefined;
      this.#event = undefined;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
    else if (field === 'event') this.#event = value;
    else if (field === 'id') this.#id = value;
  }
}

/** Parses an SSE byte stream into messages. */
export async function* readSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  const parser = new SseParser();
  for await (const chunk of body) {
    yield* parser.push(decoder.decode(chunk, { stream: true }));
  }
  yield* parser.push(decoder.decode());
  yield* parser.push('\n\n');
}
