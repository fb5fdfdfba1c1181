import type { StreamEvent } from '../../spec/stream.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { readSse } from '../../util/sse.js';
import type { WireChatResponse } from './api-types.js';
import { convertUsage } from './convert-usage.js';
import { errorMessage } from './errors.js';
import { mapFinishReason } from './map-finish-reason.js';

/**
 * An OpenAI chat.completion.chunk stream → canonical events.
 *
 * - Tool calls are keyed by the upstream's `index`; their canonical index is their order of appearance,
 *   so a vendor that numbers from 1 or skips still yields 0, 1, 2 (Portkey #1275, TensorZero #1266).
 * - Usage may come on the last chunk with `choices: []` (OpenAI, vLLM with include_usage) or on every
 *   chunk (vLLM `continuous_usage_stats`); every one is passed on and the surface keeps the last.
 * - A failure after the first byte is yielded as an `error` event, never thrown: the client has a
 *   stream open and gets an error frame in it.
 */
export async function* convertChatStream(
  body: AsyncIterable<Uint8Array>,
  origin: string,
  mode: 'chat' | 'completion' = 'chat',
): AsyncGenerator<StreamEvent> {
  let started = false;
  let finished = false;
  let done = false;
  const toolIndex = new Map<number, number>();
  try {
    for await (const message of readSse(body)) {
      // After [DONE], keep reading to the end of the body instead of breaking out: breaking destroys the
      // undici body, which aborts the request and throws away the keep-alive connection.
      if (done) continue;
      if (message.data === '[DONE]') {
        done = true;
        continue;
      }
      let chunk: WireChatResponse;
      try {
        chunk = JSON.parse(message.data) as WireChatResponse;
      } catch {
        yield { type: 'error', code: 'upstream_error', message: `${origin} sent a stream event that is not JSON` };
        return;
      }
      if (message.event === 'error' || (chunk.error !== undefined && chunk.error !== null)) {
        yield { type: 'error', code: 'upstream_error', message: `${origin} stream error: ${errorMessage(message.data) ?? 'unknown'}` };
        return;
      }
      if (!started) {
        started = true;
        yield { type: 'response-start', id: chunk.id ?? '', model: chunk.model ?? '' };
      }
      const choice = chunk.choices?.[0];
      if (choice !== undefined) {
        if (mode === 'completion') {
          if (typeof choice.text === 'string' && choice.text !== '') yield { type: 'text-delta', text: choice.text };
        } else {
          const delta = choice.delta;
          if (delta !== undefined && delta !== null) {
            const reasoning = delta.reasoning_content ?? delta.reasoning;
            if (typeof reasoning === 'string' && reasoning !== '') yield { type: 'reasoning-delta', text: reasoning };
            if (typeof delta.content === 'string' && delta.content !== '') yield { type: 'text-delta', text: delta.content };
            if (delta.tool_calls !== undefined && delta.tool_calls !== null) {
              for (const call of delta.tool_calls) {
                const wireIndex = call.index ?? 0;
                let index = toolIndex.get(wireIndex);
                if (index === undefined) {
                  index = toolIndex.size;
                  toolIndex.set(wireIndex, index);
                  yield { type: 'tool-call-start', index, id: call.id ?? '', name: call.function?.name ?? '' };
                }
                const args = call.function?.arguments;
                if (typeof args === 'string' && args !== '') yield { type: 'tool-call-delta', index, argumentsDelta: args };
              }
            }
          }
        }
        if (choice.finish_reason !== undefined && choice.finish_reason !== null && !finished) {
          finished = true;
          for (const index of toolIndex.values()) yield { type: 'tool-call-end', index };
          const event: StreamEvent = { type: 'finish', reason: mapFinishReason(choice.finish_reason), raw: choice.finish_reason };
          if (typeof choice.stop_reason === 'string') event.stopSequence = choice.stop_reason;
          yield event;
        }
      }
      if (chunk.usage !== undefined && chunk.usage !== null) yield { type: 'usage', usage: convertUsage(chunk.usage) };
    }
  } catch (error) {
    // Transport failures mid-stream (reset, stalled past the chunk-gap timeout) arrive as UpstreamErrors.
    if (GatewayError.isInstance(error)) {
      yield { type: 'error', code: error.code, message: error.message };
      return;
    }
    throw error;
  }
  if (!finished) {
    yield {
      type: 'error',
      code: 'upstream_error',
      message: done ? `${origin} ended the stream without a finish reason` : `${origin} closed the stream early`,
    };
  }
}
