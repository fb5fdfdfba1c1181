import type { StreamEvent, StreamRenderer } from '../../spec/stream.js';
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
}

const PING = frame('ping', {});

/**
 * Canonical stream events → Anthropic SSE frames (`event: …\ndata: …\n\n`), for the stream phase.
 * Sequence: message_start, content blocks (start / deltas / stop), message_delta, message_stop; an upstream
 * failure (an `error` event, or the upstream breaking off) ends the stream with `event: error`. The state
 * machine is MessageStreamWriter's.
 *
 * Heartbeat: a `ping` whenever the upstream has been silent for a while after message_start (long prefills
 * and thinking pauses), so idle timeouts of proxies in between do not cut the stream; Anthropic's own
 * streams carry pings for the same reason ("Event streams may also include any number of ping events").
 */
export class MessagesStreamRenderer implements StreamRenderer {
  readonly #writer: MessageStreamWriter;

  constructor(options: RenderStreamOptions) {
    this.#writer = new MessageStreamWriter({
      model: options.model,
      id: options.id ?? mintMessageId(),
      ...(options.inputTokens === undefined ? {} : { inputTokens: options.inputTokens }),
    });
  }

  get done(): boolean {
    return this.#writer.done;
  }

  push(event: StreamEvent): string {
    const frames = this.#writer.push(event);
    // One frame per event is the common case.
    return frames.length === 1 ? (frames[0] as string) : frames.join('');
  }

  end(): string {
    return this.#writer.end().join('');
  }

  fail(error: unknown): string {
    return this.#writer.fail(error).join('');
  }

  heartbeat(): string {
    return this.#writer.started && !this.#writer.done ? PING : '';
  }
}
