import type { StreamEvent } from '../../spec/stream.js';
import { mintMessageId } from './message-id.js';
import { MessageStreamWriter } from './stream-writer.js';

export interface RenderStreamOptions {
  /** The model name the client asked for. */
  model: string;
  /** The gateway's message id; minted as `msg_…` when absent. */
  id?: string;
  /** The gateway's prompt token count, for message_start when the upstream reports usage only at the end. */
  inputTokens?: number;
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
  try {
    for await (const event of events) {
      yield* writer.push(event);
      if (writer.done) return;
    }
  } catch (error) {
    yield* writer.fail(error);
    return;
  }
  yield* writer.end();
}
