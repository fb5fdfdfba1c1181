/**
 * Pieces every streaming adapter needs to turn an upstream body into canonical event batches
 * (spec/stream.ts `EventBatches`): a driver for SSE dialects (OpenAI-compatible, Anthropic), a driver for
 * adapters with a per-chunk converter over already-framed chunks (Bedrock's event-stream frames, Gemini's
 * SSE chunks), the conversion of an upstream failure after the stream began into one `error` event, and
 * putting back the chunk an adapter read ahead to see whether the stream opened.
 */
import { GatewayError } from '../errors/gateway-error.js';
import { UpstreamError } from '../errors/upstream-error.js';
import type { StreamEvent } from '../spec/stream.js';
import { SseParser, type SseMessage } from '../util/sse.js';
import { Utf8Stream } from '../util/utf8.js';

/** Turns upstream chunks into canonical events; `end` is called once when the body ends. */
export interface ChunkConverter<C> {
  convert(chunk: C): StreamEvent[];
  end(): StreamEvent[];
}

/** An adapter's SSE dialect: one message at a time into canonical events. */
export interface SseEventDecoder {
  /**
   * Decodes one message into `out`. Returns false when the stream is over: after an `error` event (the rest
   * of the body is abandoned), or at the dialect's own end mark (`[DONE]`, `message_stop`; the rest of the
   * body is read and ignored, so the keep-alive connection survives).
   */
  message(message: SseMessage, out: StreamEvent[]): boolean;
  /** The body ended without the end mark: the closing events, or the error of a stream cut short. */
  end(out: StreamEvent[]): void;
}

export function errorEvent(error: GatewayError): StreamEvent {
  const status = UpstreamError.isUpstream(error) ? error.upstreamStatus : undefined;
  return { type: 'error', code: error.code, message: error.message, ...(status === undefined ? {} : { status }) };
}

/**
 * Runs an SSE decoder over a body, one batch per network read. A transport failure mid-body (reset, stall
 * past the chunk-gap timeout) becomes one `error` event that ends the stream: the client already has a
 * 200 and headers, so the error has to travel in-band. An abort of our own (client gone) is rethrown:
 * nobody is listening.
 */
export async function* decodeSse(body: AsyncIterable<Uint8Array>, decoder: SseEventDecoder): AsyncGenerator<StreamEvent[]> {
  const text = new Utf8Stream();
  const parser = new SseParser();
  let open = true;
  const decode = (messages: SseMessage[], out: StreamEvent[]): void => {
    for (const message of messages) {
      if (decoder.message(message, out)) continue;
      open = false;
      return;
    }
  };
  try {
    for await (const chunk of body) {
      if (!open) continue;
      const out: StreamEvent[] = [];
      decode(parser.push(text.decode(chunk)), out);
      if (out.length === 0) continue;
      yield out;
      if (out[out.length - 1]?.type === 'error') return;
    }
  } catch (error) {
    if (GatewayError.isInstance(error)) {
      yield [errorEvent(error)];
      return;
    }
    throw error;
  }
  if (!open) return;
  const out: StreamEvent[] = [];
  // What is left: a last message not followed by a blank line is still delivered (lenient, as upstreams
  // that close right after their final `data:` line need).
  decode(parser.push(text.end()), out);
  if (open) decode(parser.push('\n\n'), out);
  if (open) decoder.end(out);
  if (out.length > 0) yield out;
}

/**
 * Runs a chunk converter over already-framed chunks, one batch per chunk; failures after the stream began
 * become one `error` event, as in `decodeSse`.
 */
export async function* runConverter<C>(chunks: AsyncIterable<C>, converter: ChunkConverter<C>): AsyncGenerator<StreamEvent[]> {
  try {
    for await (const chunk of chunks) {
      const events = converter.convert(chunk);
      if (events.length === 0) continue;
      yield events;
      if (events.some((e) => e.type === 'error')) return;
    }
  } catch (error) {
    if (error instanceof UpstreamError) {
      yield [errorEvent(error)];
      return;
    }
    throw error;
  }
  const rest = converter.end();
  if (rest.length > 0) yield rest;
}

/** `head`, then the rest of `rest`; closes `rest` when the consumer stops early. */
export async function* prepend<T>(head: T, rest: AsyncIterator<T>): AsyncGenerator<T> {
  yield head;
  try {
    for (;;) {
      const next = await rest.next();
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    await rest.return?.(undefined);
  }
}
