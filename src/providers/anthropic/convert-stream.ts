import type { StreamEvent } from '../../spec/stream.js';
import { readSse } from '../../util/sse.js';
import { toGatewayError } from '../../errors/render.js';
import { UpstreamError } from '../../errors/upstream-error.js';
import { fromAnthropicUsage, type AnthropicUsage } from './convert-usage.js';
import { fromStopReason } from './map-stop-reason.js';
import { readErrorEnvelope, statusForErrorType } from './errors.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fields of a usage object that are present (not null): the ones a later event may override. */
function presentUsage(raw: unknown): AnthropicUsage {
  const out: Record<string, unknown> = {};
  if (isObject(raw)) for (const [key, value] of Object.entries(raw)) if (value !== null && value !== undefined) out[key] = value;
  return out as AnthropicUsage;
}

/**
 * Anthropic SSE (https://docs.anthropic.com/en/docs/build-with-claude/streaming) → canonical events.
 *
 * Usage: message_start carries the prompt split (input, cache read, cache write); message_delta carries the
 * cumulative output and, on newer API versions, the prompt fields again. The raw objects are merged field by
 * field in Anthropic's own terms before converting, so a message_delta that omits the cache fields never
 * loses the cache counts from message_start (LiteLLM #42663 under-reported exactly these), and one that
 * repeats them keeps input and caches consistent.
 *
 * Failures after the stream began — an `event: error`, unreadable JSON, a broken connection, or a body that
 * ends before message_stop — become one canonical `error` event, after which the iterator ends.
 *
 * Anthropic sends message_start before the model has produced anything, and an overload can still follow
 * it (`event: error` / overloaded_error). The start and its usage are therefore held back until the first
 * content: a failure before any content is then the stream's first event, and the dispatcher, which looks
 * at the first event before committing to a stream, can still retry elsewhere (the 200-then-error case of
 * Portkey #1047).
 */
export async function* fromAnthropicStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<StreamEvent> {
  const held: StreamEvent[] = [];
  let flowing = false;
  for await (const event of readEvents(body)) {
    if (!flowing) {
      if (event.type === 'response-start' || event.type === 'usage') {
        held.push(event);
        continue;
      }
      if (event.type === 'error') {
        yield event;
        return;
      }
      flowing = true;
      yield* held;
    }
    yield event;
  }
}

async function* readEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<StreamEvent> {
  let usage: AnthropicUsage = {};
  /** Anthropic block index → canonical tool-call index, for tool_use blocks. */
  const tools = new Map<number, number>();
  let stopped = false;
  try {
    for await (const message of readSse(body)) {
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        yield { type: 'error', code: 'upstream_error', message: `anthropic: unreadable stream event: ${message.data.slice(0, 200)}` };
        return;
      }
      if (!isObject(data)) continue;
      const type = typeof data['type'] === 'string' ? data['type'] : message.event;
      switch (type) {
        case 'message_start': {
          const start = isObject(data['message']) ? data['message'] : {};
          yield { type: 'response-start', id: String(start['id'] ?? ''), model: String(start['model'] ?? '') };
          usage = { ...usage, ...presentUsage(start['usage']) };
          yield { type: 'usage', usage: fromAnthropicUsage(usage) };
          break;
        }
        case 'content_block_start': {
          const index = Number(data['index']);
          const block = isObject(data['content_block']) ? data['content_block'] : {};
          if (block['type'] === 'tool_use') {
            const toolIndex = tools.size;
            tools.set(index, toolIndex);
            yield { type: 'tool-call-start', index: toolIndex, id: String(block['id'] ?? ''), name: String(block['name'] ?? '') };
          } else if (block['type'] === 'text' && typeof block['text'] === 'string' && block['text'] !== '') {
            yield { type: 'text-delta', text: block['text'] };
          } else if (block['type'] === 'thinking' && typeof block['thinking'] === 'string' && block['thinking'] !== '') {
            yield { type: 'reasoning-delta', text: block['thinking'] };
          } else if (block['type'] === 'redacted_thinking' && typeof block['data'] === 'string') {
            yield { type: 'reasoning-delta', text: '', redactedData: block['data'] };
          }
          break;
        }
        case 'content_block_delta': {
          const delta = isObject(data['delta']) ? data['delta'] : {};
          const index = Number(data['index']);
          if (delta['type'] === 'text_delta' && typeof delta['text'] === 'string') {
            yield { type: 'text-delta', text: delta['text'] };
          } else if (delta['type'] === 'input_json_delta' && typeof delta['partial_json'] === 'string') {
            const toolIndex = tools.get(index);
            if (toolIndex !== undefined && delta['partial_json'] !== '') {
              yield { type: 'tool-call-delta', index: toolIndex, argumentsDelta: delta['partial_json'] };
            }
          } else if (delta['type'] === 'thinking_delta' && typeof delta['thinking'] === 'string') {
            yield { type: 'reasoning-delta', text: delta['thinking'] };
          } else if (delta['type'] === 'signature_delta' && typeof delta['signature'] === 'string') {
            yield { type: 'reasoning-delta', text: '', signature: delta['signature'] };
          }
          break;
        }
        case 'content_block_stop': {
          const toolIndex = tools.get(Number(data['index']));
          if (toolIndex !== undefined) yield { type: 'tool-call-end', index: toolIndex };
          break;
        }
        case 'message_delta': {
          usage = { ...usage, ...presentUsage(data['usage']) };
          yield { type: 'usage', usage: fromAnthropicUsage(usage) };
          const delta = isObject(data['delta']) ? data['delta'] : {};
          const raw = typeof delta['stop_reason'] === 'string' ? delta['stop_reason'] : undefined;
          if (raw !== undefined) {
            const finish: StreamEvent = { type: 'finish', reason: fromStopReason(raw), raw };
            if (typeof delta['stop_sequence'] === 'string') finish.stopSequence = delta['stop_sequence'];
            yield finish;
          }
          break;
        }
        case 'message_stop':
          stopped = true;
          return;
        case 'error': {
          const info = readErrorEnvelope(data) ?? { type: 'api_error', message: 'unknown error' };
          yield { type: 'error', code: info.type, message: info.message, status: statusForErrorType(info.type) };
          return;
        }
        default:
          // ping, and event types added later (Anthropic's versioning policy: ignore unknown events).
          break;
      }
    }
  } catch (error) {
    const failure = toGatewayError(error);
    const status = UpstreamError.isUpstream(failure) ? failure.upstreamStatus : undefined;
    yield { type: 'error', code: failure.code, message: failure.message, ...(status === undefined ? {} : { status }) };
    return;
  }
  if (!stopped) {
    yield { type: 'error', code: 'upstream_error', message: 'anthropic: the stream ended before message_stop' };
  }
}
