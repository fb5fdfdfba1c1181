import type { StreamEvent } from '../../spec/stream.js';
import type { SseMessage } from '../../util/sse.js';
import { decodeSse, type SseEventDecoder } from '../stream-runner.js';
import { AnthropicStreamMapper } from './stream-mapper.js';

/**
 * Anthropic SSE (https://docs.anthropic.com/en/docs/build-with-claude/streaming) → canonical event batches.
 *
 * Usage: message_start carries the prompt split (input, cache read, cache write); message_delta carries the
 * cumulative output and, on newer API versions, the prompt fields again. The raw objects are merged field by
 * field in Anthropic's own terms before converting, so a message_delta that omits the cache fields never
 * loses the cache counts from message_start (LiteLLM #42663 under-reported exactly these), and one that
 * repeats them keeps input and caches consistent.
 *
 * Failures after the stream began — an `event: error`, unreadable JSON, a broken connection, or a body that
 * ends before message_stop — become one canonical `error` event, after which the stream ends.
 *
 * Anthropic sends message_start before the model has produced anything, and an overload can still follow
 * it (`event: error` / overloaded_error). The start and its usage are therefore held back until the first
 * content: a failure before any content is then the stream's first event, and the dispatcher, which looks
 * at the first event before committing to a stream, can still retry elsewhere (the 200-then-error case of
 * Portkey #1047).
 */
export function fromAnthropicStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<StreamEvent[]> {
  return decodeSse(body, new AnthropicEventDecoder());
}

export class AnthropicEventDecoder implements SseEventDecoder {
  readonly #mapper = new AnthropicStreamMapper();
  /** message_start's events until the first content arrives; undefined once flowing. */
  #held: StreamEvent[] | undefined = [];

  message(message: SseMessage, out: StreamEvent[]): boolean {
    let data: unknown;
    try {
      data = JSON.parse(message.data);
    } catch {
      out.push({ type: 'error', code: 'upstream_error', message: `anthropic: unreadable stream event: ${message.data.slice(0, 200)}` });
      return false;
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return true;
    for (const event of this.#mapper.map(data as Record<string, unknown>, message.event)) {
      const held = this.#held;
      if (held !== undefined) {
        if (event.type === 'response-start' || event.type === 'usage') {
          held.push(event);
          continue;
        }
        // An error before any content is the first event (the held start is dropped with the attempt).
        if (event.type !== 'error') for (const early of held) out.push(early);
        this.#held = undefined;
      }
      out.push(event);
      if (event.type === 'error') return false;
    }
    return !this.#mapper.stopped;
  }

  end(out: StreamEvent[]): void {
    out.push({ type: 'error', code: 'upstream_error', message: 'anthropic: the stream ended before message_stop' });
  }
}
