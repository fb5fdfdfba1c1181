import type { StreamEvent } from '../../spec/stream.js';
import { frame } from './frames.js';
import { mintMessageId } from './message-id.js';
import { MessageStreamWriter } from './stream-writer.js';

export interface RenderStreamOptions {
  /** The model name the client asked for. */
  model: string;
  /** The gateway's message id; minted as `msg_…` when absent. */
  id?: string;
  /**
   * The gateway's prompt token count, for message_start when the upstream reports usage only at the end;
   * a function is called only if that count is needed (an Anthropic upstream reports its own first).
   */
  inputTokens?: number | (() => number);
  /**
   * When set, a `ping` is written whenever the upstream has been silent this long after message_start (long
   * prefills and thinking pauses), so idle timeouts of proxies in between do not cut the stream. Anthropic's
   * streams carry pings for the same reason ("Event streams may also include any number of ping events").
   */
  pingIntervalMs?: number;
}

/**
 * Canonical stream events → Anthropic SSE frames, one string per frame (`event: …\ndata: …\n\n`).
 * Sequence: message_start, ping, content blocks (start / deltas / stop), message_delta, message_stop; an
 * upstream failure (an `error` event, or the iterator throwing) ends the stream with `event: error`.
 * If the consumer stops early (client gone), the upstream iterator is closed through `return()`.
 */
export async function* renderMessagesStream(
  events: AsyncIterable<StreamEvent>,
  options: RenderStreamOptions,
): AsyncGenerator<string> {
  const writer = new MessageStreamWriter({
    model: options.model,
    id: options.id ?? mintMessageId(),
    ...(options.inputTokens === undefined ? {} : { inputTokens: options.inputTokens }),
  });
  const source = options.pingIntervalMs === undefined ? events : withTicks(events, options.pingIntervalMs);
  try {
    for await (const event of source) {
      if (event === TICK) {
        if (writer.started && !writer.done) yield frame('ping', {});
        continue;
      }
      // One frame per event is the common case; yield it directly rather than through yield* (an await per element).
      const frames = writer.push(event);
      if (frames.length === 1) yield frames[0] as string;
      else for (const frame of frames) yield frame;
      if (writer.done) return;
    }
  } catch (error) {
    yield* writer.fail(error);
    return;
  }
  yield* writer.end();
}

const TICK = Symbol('tick');

/** The events, with a TICK whenever none arrived for `intervalMs`. Closing it closes the source. */
async function* withTicks(events: AsyncIterable<StreamEvent>, intervalMs: number): AsyncGenerator<StreamEvent | typeof TICK> {
  const iterator = events[Symbol.asyncIterator]();
  let finished = false;
  try {
    let pending = guarded(iterator.next());
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<typeof TICK>((resolve) => {
        timer = setTimeout(() => resolve(TICK), intervalMs);
      });
      const result = await Promise.race([pending, tick]).finally(() => clearTimeout(timer));
      if (result === TICK) {
        yield TICK;
        continue;
      }
      if (result.done === true) {
        finished = true;
        return;
      }
      pending = guarded(iterator.next());
      yield result.value;
    }
  } finally {
    // Not awaited: a source blocked on the network answers return() only after its pending read settles;
    // the call's abort signal is what closes the socket.
    if (!finished) void iterator.return?.()?.catch(() => undefined);
  }
}

/** Marks a pending read as handled, so a failure that lands after the consumer left is not an unhandled rejection. */
function guarded<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
