import { UpstreamError } from '../../errors/upstream-error.js';
import type { StreamEvent } from '../../spec/stream.js';
import { errorEvent, runConverter } from '../stream-runner.js';
import { matchedStopSequence } from './convert-response.js';
import { convertUsage } from './convert-usage.js';
import { errorFromException } from './errors.js';
import type { EventStreamMessage } from './event-stream-codec.js';
import { mapFinishReason } from './map-finish-reason.js';
import type { TokenUsage } from './wire-types.js';

/** One decoded ConverseStream frame: an event with its JSON payload, or an exception. */
export type StreamFrame =
  | { kind: 'event'; type: string; payload: Record<string, unknown> }
  | { kind: 'exception'; error: UpstreamError };

/**
 * Reads a frame's headers: `:message-type` is `event`, `exception` (`:exception-type` names it) or `error`
 * (`:error-code`/`:error-message` headers). Event payloads are JSON objects; Bedrock pads them with a `p`
 * field of filler characters that we ignore.
 */
export function readFrame(message: EventStreamMessage): StreamFrame {
  const messageType = message.headers[':message-type'];
  if (messageType === 'exception') {
    const type = String(message.headers[':exception-type'] ?? 'unknownException');
    return { kind: 'exception', error: errorFromException(type, message.payload) };
  }
  if (messageType === 'error') {
    const code = String(message.headers[':error-code'] ?? 'unknownError');
    const text = String(message.headers[':error-message'] ?? '');
    return { kind: 'exception', error: errorFromException(lowerFirst(code), Buffer.from(JSON.stringify({ message: text }))) };
  }
  const type = String(message.headers[':event-type'] ?? '');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(message.payload).toString('utf8'));
  } catch (cause) {
    throw new UpstreamError({ kind: 'protocol', message: `Bedrock stream event ${type} has a payload that is not JSON`, cause });
  }
  if (typeof payload !== 'object' || payload === null) {
    throw new UpstreamError({ kind: 'protocol', message: `Bedrock stream event ${type} has a payload that is not an object` });
  }
  return { kind: 'event', type, payload: payload as Record<string, unknown> };
}

function lowerFirst(value: string): string {
  return value.charAt(0).toLowerCase() + value.slice(1);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/**
 * ConverseStream events → canonical stream events. Event order per reference/bedrock.md §1.3, but
 * `metadata` may come before `messageStop` (vercel/ai's recorded bedrock-tool-call.1.chunks.txt), so each is
 * handled whenever it arrives. Tool input arrives as JSON string fragments keyed by contentBlockIndex; the
 * fragments are passed on in order and concatenate to the full arguments (reference/bedrock.md §4.5).
 */
export class ConverseStreamConverter {
  readonly #id: string;
  readonly #model: string;
  #started = false;
  #stopped = false;
  /** contentBlockIndex → canonical tool-call index, for open tool blocks. */
  readonly #tools = new Map<number, number>();
  #nextTool = 0;

  constructor(id: string, model: string) {
    this.#id = id;
    this.#model = model;
  }

  get sawMessageStop(): boolean {
    return this.#stopped;
  }

  convert(frame: StreamFrame): StreamEvent[] {
    if (frame.kind === 'exception') return [errorEvent(frame.error)];
    const out: StreamEvent[] = [];
    if (!this.#started) {
      this.#started = true;
      out.push({ type: 'response-start', id: this.#id, model: this.#model });
    }
    const p = frame.payload;
    const blockIndex = typeof p['contentBlockIndex'] === 'number' ? p['contentBlockIndex'] : -1;
    switch (frame.type) {
      case 'contentBlockStart': {
        const toolUse = record(record(p['start'])?.['toolUse']);
        if (toolUse !== undefined) {
          const index = this.#nextTool++;
          this.#tools.set(blockIndex, index);
          out.push({ type: 'tool-call-start', index, id: String(toolUse['toolUseId'] ?? ''), name: String(toolUse['name'] ?? '') });
        }
        break;
      }
      case 'contentBlockDelta':
        out.push(...this.#delta(blockIndex, record(p['delta']) ?? {}));
        break;
      case 'contentBlockStop': {
        const index = this.#tools.get(blockIndex);
        if (index !== undefined) {
          this.#tools.delete(blockIndex);
          out.push({ type: 'tool-call-end', index });
        }
        break;
      }
      case 'messageStop': {
        this.#stopped = true;
        const raw = typeof p['stopReason'] === 'string' ? p['stopReason'] : undefined;
        const stopSequence = matchedStopSequence(record(p['additionalModelResponseFields']));
        out.push({
          type: 'finish',
          reason: mapFinishReason(raw),
          ...(raw === undefined ? {} : { raw }),
          ...(stopSequence === undefined ? {} : { stopSequence }),
        });
        break;
      }
      case 'metadata':
        out.push({ type: 'usage', usage: convertUsage(record(p['usage']) as TokenUsage | undefined) });
        break;
      default:
        // messageStart (role only) and future event types carry nothing to pass on.
        break;
    }
    return out;
  }

  #delta(blockIndex: number, delta: Record<string, unknown>): StreamEvent[] {
    if (typeof delta['text'] === 'string') return [{ type: 'text-delta', text: delta['text'] }];
    const toolUse = record(delta['toolUse']);
    if (toolUse !== undefined) {
      const index = this.#tools.get(blockIndex);
      if (index === undefined) {
        return [errorEvent(new UpstreamError({ kind: 'protocol', message: `Bedrock sent tool input for block ${blockIndex} before its contentBlockStart` }))];
      }
      const input = toolUse['input'];
      return typeof input === 'string' && input.length > 0 ? [{ type: 'tool-call-delta', index, argumentsDelta: input }] : [];
    }
    const reasoning = record(delta['reasoningContent']);
    if (reasoning !== undefined) {
      if (typeof reasoning['text'] === 'string') return [{ type: 'reasoning-delta', text: reasoning['text'] }];
      if (typeof reasoning['signature'] === 'string') return [{ type: 'reasoning-delta', text: '', signature: reasoning['signature'] }];
      if (typeof reasoning['redactedContent'] === 'string') {
        return [{ type: 'reasoning-delta', text: '', redactedData: reasoning['redactedContent'] }];
      }
    }
    return [];
  }

  /**
   * The body ended. A stream without messageStop was cut off: say so rather than invent a finish reason and
   * usage (litellm #32686).
   */
  end(): StreamEvent[] {
    if (this.#stopped) return [];
    return [errorEvent(new UpstreamError({ kind: 'protocol', message: 'Bedrock stream ended without messageStop' }))];
  }
}

/** Runs the converter over the decoded frames (src/providers/stream-runner.ts). */
export function convertStream(chunks: AsyncIterable<StreamFrame>, converter: ConverseStreamConverter): AsyncGenerator<StreamEvent[]> {
  return runConverter(chunks, converter);
}
