import { Utf8Stream } from './utf8.js';

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
    if (this.#pendingCr && text.charCodeAt(0) === 10) text = text.slice(1);
    this.#pendingCr = false;
    const buffer = this.#buffer === '' ? text : this.#buffer + text;
    const length = buffer.length;
    // Jump from line end to line end with indexOf (native) rather than a charCodeAt loop over every
    // character; CR alone, LF alone and CRLF all end a line.
    let start = 0;
    let nextCr = buffer.indexOf('\r');
    let nextLf = buffer.indexOf('\n');
    while (nextCr >= 0 || nextLf >= 0) {
      const isCr = nextCr >= 0 && (nextLf < 0 || nextCr < nextLf);
      let end = isCr ? nextCr : nextLf;
      this.#line(buffer.slice(start, end), out);
      if (isCr) {
        if (end + 1 === length) this.#pendingCr = true;
        else if (buffer.charCodeAt(end + 1) === 10) end++;
      }
      start = end + 1;
      if (nextCr >= 0 && nextCr < start) nextCr = buffer.indexOf('\r', start);
      if (nextLf >= 0 && nextLf < start) nextLf = buffer.indexOf('\n', start);
    }
    this.#buffer = start === 0 ? buffer : buffer.slice(start);
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
    const first = line.charCodeAt(0);
    if (first === 58) return; // ':' a comment
    // `data:` is nearly every line: read it without slicing out the field name.
    if (first === 100 && line.startsWith('data:')) {
      const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
      this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
      return;
    }
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
  const decoder = new Utf8Stream();
  const parser = new SseParser();
  for await (const chunk of body) {
    yield* parser.push(decoder.decode(chunk));
  }
  yield* parser.push(decoder.end());
  yield* parser.push('\n\n');
}
