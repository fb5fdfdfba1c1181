import type { StreamEvent } from '../../spec/stream.js';
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

const NONE: StreamEvent[] = [];

/**
 * One Anthropic stream event (parsed `data`) → canonical events, with the state a stream needs: the raw
 * usage merged so far, and which content blocks are tool calls (Anthropic block index → canonical tool index).
 */
export class AnthropicStreamMapper {
  #usage: AnthropicUsage = {};
  #tools = new Map<number, number>();
  /** message_stop seen: the stream ended properly. */
  stopped = false;

  map(data: Json, eventName: string | undefined): StreamEvent[] {
    const type = typeof data['type'] === 'string' ? data['type'] : eventName;
    switch (type) {
      case 'content_block_delta':
        return this.#delta(data);
      case 'message_start': {
        const start = isObject(data['message']) ? data['message'] : {};
        this.#usage = Object.assign({}, this.#usage, presentUsage(start['usage']));
        return [
          { type: 'response-start', id: String(start['id'] ?? ''), model: String(start['model'] ?? '') },
          { type: 'usage', usage: fromAnthropicUsage(this.#usage) },
        ];
      }
      case 'content_block_start':
        return this.#blockStart(data);
      case 'content_block_stop': {
        const toolIndex = this.#tools.get(Number(data['index']));
        return toolIndex === undefined ? NONE : [{ type: 'tool-call-end', index: toolIndex }];
      }
      case 'message_delta': {
        this.#usage = Object.assign({}, this.#usage, presentUsage(data['usage']));
        const out: StreamEvent[] = [{ type: 'usage', usage: fromAnthropicUsage(this.#usage) }];
        const delta = isObject(data['delta']) ? data['delta'] : {};
        const raw = typeof delta['stop_reason'] === 'string' ? delta['stop_reason'] : undefined;
        if (raw !== undefined) {
          const finish: StreamEvent = { type: 'finish', reason: fromStopReason(raw), raw };
          if (typeof delta['stop_sequence'] === 'string') finish.stopSequence = delta['stop_sequence'];
          out.push(finish);
        }
        return out;
      }
      case 'message_stop':
        this.stopped = true;
        return NONE;
      case 'error': {
        const info = readErrorEnvelope(data) ?? { type: 'api_error', message: 'unknown error' };
        return [{ type: 'error', code: info.type, message: info.message, status: statusForErrorType(info.type) }];
      }
      default:
        // ping, and event types added later (Anthropic's versioning policy: ignore unknown events).
        return NONE;
    }
  }

  #blockStart(data: Json): StreamEvent[] {
    const block = isObject(data['content_block']) ? data['content_block'] : {};
    switch (block['type']) {
      case 'tool_use': {
        const toolIndex = this.#tools.size;
        this.#tools.set(Number(data['index']), toolIndex);
        return [{ type: 'tool-call-start', index: toolIndex, id: String(block['id'] ?? ''), name: String(block['name'] ?? '') }];
      }
      case 'text':
        return typeof block['text'] === 'string' && block['text'] !== '' ? [{ type: 'text-delta', text: block['text'] }] : NONE;
      case 'thinking':
        return typeof block['thinking'] === 'string' && block['thinking'] !== '' ? [{ type: 'reasoning-delta', text: block['thinking'] }] : NONE;
      case 'redacted_thinking':
        return typeof block['data'] === 'string' ? [{ type: 'reasoning-delta', text: '', redactedData: block['data'] }] : NONE;
      default:
        return NONE;
    }
  }

  #delta(data: Json): StreamEvent[] {
    const delta = data['delta'] as Json | undefined;
    if (!isObject(delta)) return NONE;
    switch (delta['type']) {
      case 'text_delta':
        return typeof delta['text'] === 'string' ? [{ type: 'text-delta', text: delta['text'] }] : NONE;
      case 'input_json_delta': {
        const toolIndex = this.#tools.get(Number(data['index']));
        const json = delta['partial_json'];
        return toolIndex !== undefined && typeof json === 'string' && json !== '' ? [{ type: 'tool-call-delta', index: toolIndex, argumentsDelta: json }] : NONE;
      }
      case 'thinking_delta':
        return typeof delta['thinking'] === 'string' ? [{ type: 'reasoning-delta', text: delta['thinking'] }] : NONE;
      case 'signature_delta':
        return typeof delta['signature'] === 'string' ? [{ type: 'reasoning-delta', text: '', signature: delta['signature'] }] : NONE;
      default:
        return NONE;
    }
  }
}
