/**
 * Pieces every streaming adapter with a per-chunk converter needs (Bedrock's event-stream frames, Gemini's
 * SSE chunks): run the converter to the end of the body, turn an upstream failure after the stream began
 * into one `error` event, and put back the chunk an adapter read ahead to see whether the stream opened.
 */
import { UpstreamError } from '../errors/upstream-error.js';
import type { StreamEvent } from '../spec/stream.js';

/** Turns upstream chunks into canonical events; `end` is called once when the body ends. */
export interface ChunkConverter<C> {
  convert(chunk: C): StreamEvent[];
  end(): StreamEvent[];
}

export function errorEvent(error: UpstreamError): StreamEvent {
  return {
    type: 'error',
    code: error.code,
    message: error.message,
    ...(error.upstreamStatus === undefined ? {} : { status: error.upstreamStatus }),
  };
}

/**
 * Runs the converter over the chunks. Failures after the stream began (a corrupt frame, a dropped
 * connection, an exception event) become one `error` event that ends the stream: the client already has a
 * 200 and headers, so the error has to travel in-band. An abort of our own (client gone) is rethrown:
 * nobody is listening.
 */
export async function* runConverter<C>(chunks: AsyncIterable<C>, converter: ChunkConverter<C>): AsyncGenerator<StreamEvent> {
  try {
    for await (const chunk of chunks) {
      const events = converter.convert(chunk);
      yield* events;
      if (events.some((e) => e.type === 'error')) return;
    }
  } catch (error) {
    if (error instanceof UpstreamError) {
      yield errorEvent(error);
      return;
    }
    throw error;
  }
  yield* converter.end();
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
