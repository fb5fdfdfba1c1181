import type { StreamEvent } from '../../spec/stream.js';
import type { SseMessage } from '../../util/sse.js';
import { decodeSse, type SseEventDecoder } from '../stream-runner.js';
import type { WireChatResponse } from './api-types.js';
import { convertUsage } from './convert-usage.js';
import { errorMessage } from './errors.js';
import { mapFinishReason } from './map-finish-reason.js';

/**
 * An OpenAI chat.completion.chunk (or legacy text_completion) stream → canonical event batches.
 *
 * - Tool calls are keyed by the upstream's `index`; their canonical index is their order of appearance,
 *   so a vendor that numbers from 1 or skips still yields 0, 1, 2 (Portkey #1275, TensorZero #1266).
 * - Usage may come on the last chunk with `choices: []` (OpenAI, vLLM with include_usage) or on every
 *   chunk (vLLM `continuous_usage_stats`); every one is passed on and the surface keeps the last.
 * - A failure after the first byte is an `error` event, never thrown: the client has a stream open and
 *   gets an error frame in it.
 */
export function convertChatStream(body: AsyncIterable<Uint8Array>, origin: string, mode: 'chat' | 'completion' = 'chat'): AsyncGenerator<StreamEvent[]> {
  return decodeSse(body, new ChatChunkDecoder(origin, mode));
}

/** One `data:` message at a time; see `convertChatStream`. */
export class ChatChunkDecoder implements SseEventDecoder {
  #started = false;
  #finished = false;
  #done = false;
  /** Upstream tool-call index → ours (order of appearance). */
  readonly #toolIndex = new Map<number, number>();

  constructor(
    private readonly origin: string,
    private readonly mode: 'chat' | 'completion',
  ) {}

  message(message: SseMessage, out: StreamEvent[]): boolean {
    if (message.data === '[DONE]') {
      this.#done = true;
      if (!this.#finished) out.push({ type: 'error', code: 'upstream_error', message: `${this.origin} ended the stream without a finish reason` });
      return false;
    }
    let chunk: WireChatResponse;
    try {
      chunk = JSON.parse(message.data) as WireChatResponse;
    } catch {
      out.push({ type: 'error', code: 'upstream_error', message: `${this.origin} sent a stream event that is not JSON` });
      return false;
    }
    if (message.event === 'error' || (chunk.error !== undefined && chunk.error !== null)) {
      out.push({ type: 'error', code: 'upstream_error', message: `${this.origin} stream error: ${errorMessage(message.data) ?? 'unknown'}` });
      return false;
    }
    if (!this.#started) {
      this.#started = true;
      out.push({ type: 'response-start', id: chunk.id ?? '', model: chunk.model ?? '' });
    }
    const choice = chunk.choices?.[0];
    if (choice !== undefined) {
      if (this.mode === 'completion') {
        if (typeof choice.text === 'string' && choice.text !== '') out.push({ type: 'text-delta', text: choice.text });
      } else {
        const delta = choice.delta;
        if (delta !== undefined && delta !== null) {
          const reasoning = delta.reasoning_content ?? delta.reasoning;
          if (typeof reasoning === 'string' && reasoning !== '') out.push({ type: 'reasoning-delta', text: reasoning });
          if (typeof delta.content === 'string' && delta.content !== '') out.push({ type: 'text-delta', text: delta.content });
          if (delta.tool_calls !== undefined && delta.tool_calls !== null) {
            for (const call of delta.tool_calls) {
              const wireIndex = call.index ?? 0;
              let index = this.#toolIndex.get(wireIndex);
              if (index === undefined) {
                index = this.#toolIndex.size;
                this.#toolIndex.set(wireIndex, index);
                out.push({ type: 'tool-call-start', index, id: call.id ?? '', name: call.function?.name ?? '' });
              }
              const args = call.function?.arguments;
              if (typeof args === 'string' && args !== '') out.push({ type: 'tool-call-delta', index, argumentsDelta: args });
            }
          }
        }
      }
      if (choice.finish_reason !== undefined && choice.finish_reason !== null && !this.#finished) {
        this.#finished = true;
        for (const index of this.#toolIndex.values()) out.push({ type: 'tool-call-end', index });
        const event: StreamEvent = { type: 'finish', reason: mapFinishReason(choice.finish_reason), raw: choice.finish_reason };
        if (typeof choice.stop_reason === 'string') event.stopSequence = choice.stop_reason;
        out.push(event);
      }
    }
    if (chunk.usage !== undefined && chunk.usage !== null) out.push({ type: 'usage', usage: convertUsage(chunk.usage) });
    return true;
  }

  end(out: StreamEvent[]): void {
    if (this.#finished) return;
    out.push({ type: 'error', code: 'upstream_error', message: this.#done ? `${this.origin} ended the stream without a finish reason` : `${this.origin} closed the stream early` });
  }
}
